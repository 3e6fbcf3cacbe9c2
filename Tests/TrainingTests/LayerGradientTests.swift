import Testing

@testable import Training

/// Checks a parameter-free layer's input gradient against central differences of Σ c·layer(x).
private func checkInputGradient(
  of layer: any Layer, input: Matrix, training: Bool = false, rng: inout SplitMix64,
  prepare: () -> Void = {}, _ what: String
) {
  var x = input
  let c = GradientCheck.randomMatrix(rows: x.rows, cols: x.cols, rng: &rng)
  let objective = { () -> Double in
    prepare()
    return GradientCheck.weightedSum(layer.forward(x, training: training), c)
  }
  prepare()
  _ = layer.forward(x, training: training)
  let analytic = layer.backward(c, needsInputGradient: true)!.storage
  let numeric = GradientCheck.numeric(
    count: x.count, get: { x.storage[$0] }, set: { x.storage[$0] = $1 }, objective: objective)
  GradientCheck.expectMatch(analytic, numeric, what)
}

/// Inputs at least `margin` away from zero, so no central difference straddles a ReLU kink.
private func awayFromZero(rows: Int, cols: Int, margin: Float, rng: inout SplitMix64) -> Matrix {
  var x = GradientCheck.randomMatrix(rows: rows, cols: cols, rng: &rng)
  for i in 0..<x.count where abs(x.storage[i]) < margin {
    x.storage[i] = x.storage[i] < 0 ? -margin - x.storage[i] : margin + x.storage[i]
  }
  return x
}

@Test func denseGradientsMatchFiniteDifferences() {
  var rng = SplitMix64(seed: 11)
  let store = ParameterStore()
  let dense = Dense(store: store, group: "fc", inputSize: 5, outputSize: 4, rng: &rng)
  // A nonzero bias makes sure forward really adds it.
  store.setValues((0..<4).map { _ in rng.nextGaussian() }, of: dense.biasIndex)
  var x = GradientCheck.randomMatrix(rows: 3, cols: 5, rng: &rng)
  let c = GradientCheck.randomMatrix(rows: 3, cols: 4, rng: &rng)
  let objective = { GradientCheck.weightedSum(dense.forward(x, training: true), c) }

  store.zeroGradients()
  _ = dense.forward(x, training: true)
  let inputGradient = dense.backward(c, needsInputGradient: true)!.storage
  let numericInput = GradientCheck.numeric(
    count: x.count, get: { x.storage[$0] }, set: { x.storage[$0] = $1 }, objective: objective)
  GradientCheck.expectMatch(inputGradient, numericInput, "dense input")

  for (index, name) in [(dense.weightIndex, "dense weight"), (dense.biasIndex, "dense bias")] {
    let range = store.tensors[index].range
    let numeric = GradientCheck.numeric(
      count: range.count, get: { store.values[range.lowerBound + $0] },
      set: { store.values[range.lowerBound + $0] = $1 }, objective: objective)
    GradientCheck.expectMatch(Array(store.gradients[range]), numeric, name)
  }
}

@Test func denseStoresWeightOutByInAndComputesXWTransposePlusBias() {
  var rng = SplitMix64(seed: 1)
  let store = ParameterStore()
  let dense = Dense(store: store, group: "fc", inputSize: 2, outputSize: 3, rng: &rng)
  #expect(store.tensors[dense.weightIndex].name == "fc.weight")
  #expect(store.tensors[dense.weightIndex].shape == [3, 2])
  #expect(store.tensors[dense.biasIndex].name == "fc.bias")
  store.setValues([1, 2, 3, 4, 5, 6], of: dense.weightIndex)
  store.setValues([0.5, -1, 2], of: dense.biasIndex)
  let y = dense.forward(Matrix(rows: 1, cols: 2, storage: [1, -1]), training: false)
  let expected: [Float] = [-0.5, -2, 1]  // [1·1 - 2·1 + 0.5, 3 - 4 - 1, 5 - 6 + 2]
  #expect(y.storage == expected)
}

@Test func denseSkipsParameterGradientsWhenFrozenAndInputGradientWhenNotAsked() {
  var rng = SplitMix64(seed: 2)
  let store = ParameterStore()
  let dense = Dense(store: store, group: "fc", inputSize: 3, outputSize: 2, rng: &rng)
  let x = GradientCheck.randomMatrix(rows: 4, cols: 3, rng: &rng)
  let c = GradientCheck.randomMatrix(rows: 4, cols: 2, rng: &rng)
  store.setFrozen(true, group: "fc")
  store.zeroGradients()
  _ = dense.forward(x, training: true)
  #expect(dense.backward(c, needsInputGradient: true) != nil)
  #expect(store.gradients.allSatisfy { $0 == 0 })
  store.setFrozen(false, group: "fc")
  #expect(dense.backward(c, needsInputGradient: false) == nil)
  #expect(store.gradients.contains { $0 != 0 })
}

@Test func heUniformInitialisationHasTheRightBoundAndZeroBias() {
  var rng = SplitMix64(seed: 3)
  let store = ParameterStore()
  let dense = Dense(store: store, group: "fc", inputSize: 24, outputSize: 50, rng: &rng)
  let weights = store.values(of: dense.weightIndex)
  let bound: Float = (6.0 / 24.0).squareRoot()
  #expect(weights.allSatisfy { abs($0) <= bound })
  #expect(weights.map(abs).max()! > 0.9 * bound)
  #expect(store.values(of: dense.biasIndex).allSatisfy { $0 == 0 })
}

@Test func reluGradientMatchesFiniteDifferences() {
  var rng = SplitMix64(seed: 21)
  let x = awayFromZero(rows: 4, cols: 6, margin: 0.05, rng: &rng)
  checkInputGradient(of: ReLU(), input: x, rng: &rng, "relu")
}

@Test func geluGradientMatchesFiniteDifferences() {
  var rng = SplitMix64(seed: 22)
  let x = GradientCheck.randomMatrix(rows: 4, cols: 6, rng: &rng, scale: 2)
  checkInputGradient(of: GELU(), input: x, rng: &rng, "gelu")
}

@Test func geluMatchesTheTanhApproximationAtKnownPoints() {
  let y = GELU().forward(Matrix(rows: 1, cols: 3, storage: [0, 1, -2]), training: false)
  #expect(y.storage[0] == 0)
  #expect(abs(y.storage[1] - 0.841_192) < 1e-5)
  #expect(abs(y.storage[2] - -0.045_402) < 1e-5)
}

@Test func tanhGradientMatchesFiniteDifferences() {
  var rng = SplitMix64(seed: 23)
  let x = GradientCheck.randomMatrix(rows: 4, cols: 6, rng: &rng, scale: 1.5)
  checkInputGradient(of: Tanh(), input: x, rng: &rng, "tanh")
}

@Test func dropoutGradientMatchesFiniteDifferencesWithAFixedMask() {
  var rng = SplitMix64(seed: 24)
  let dropout = Dropout(rate: 0.4, seed: 99)
  let x = GradientCheck.randomMatrix(rows: 5, cols: 6, rng: &rng)
  // Rewinding the generator before every forward redraws the same mask.
  checkInputGradient(
    of: dropout, input: x, training: true, rng: &rng, prepare: { dropout.rngState = 99 }, "dropout")
}

@Test func layerNormGradientsMatchFiniteDifferences() {
  var rng = SplitMix64(seed: 31)
  let store = ParameterStore()
  let norm = LayerNorm(store: store, group: "block", features: 6)
  #expect(store.tensors[norm.gainIndex].name == "block.norm.weight")
  #expect(store.tensors[norm.biasIndex].name == "block.norm.bias")
  // Non-trivial gain and bias so that their gradients and their effect on dx are exercised.
  store.setValues((0..<6).map { _ in 1 + 0.5 * rng.nextGaussian() }, of: norm.gainIndex)
  store.setValues((0..<6).map { _ in rng.nextGaussian() }, of: norm.biasIndex)
  var x = GradientCheck.randomMatrix(rows: 4, cols: 6, rng: &rng, scale: 2)
  let c = GradientCheck.randomMatrix(rows: 4, cols: 6, rng: &rng)
  let objective = { GradientCheck.weightedSum(norm.forward(x, training: true), c) }

  store.zeroGradients()
  _ = norm.forward(x, training: true)
  let inputGradient = norm.backward(c, needsInputGradient: true)!.storage
  let numericInput = GradientCheck.numeric(
    count: x.count, get: { x.storage[$0] }, set: { x.storage[$0] = $1 }, objective: objective)
  GradientCheck.expectMatch(inputGradient, numericInput, "layer norm input")

  for (index, name) in [(norm.gainIndex, "layer norm gain"), (norm.biasIndex, "layer norm bias")] {
    let range = store.tensors[index].range
    let numeric = GradientCheck.numeric(
      count: range.count, get: { store.values[range.lowerBound + $0] },
      set: { store.values[range.lowerBound + $0] = $1 }, objective: objective)
    GradientCheck.expectMatch(Array(store.gradients[range]), numeric, name)
  }
}

@Test func layerNormOutputHasZeroMeanAndUnitVariancePerRow() {
  var rng = SplitMix64(seed: 32)
  let store = ParameterStore()
  let norm = LayerNorm(store: store, group: "block", features: 16)
  let y = norm.forward(GradientCheck.randomMatrix(rows: 3, cols: 16, rng: &rng, scale: 5), training: false)
  for row in 0..<3 {
    let values = (0..<16).map { Double(y[row, $0]) }
    let mean = values.reduce(0, +) / 16
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
    #expect(abs(mean) < 1e-5)
    #expect(abs(variance - 1) < 1e-3)
  }
}
