import Foundation
import Testing

@testable import Training

/// Finite-difference checks of each encoder layer's hand-written backward pass, on a tiny config
/// with padded sequences, so masking, the scatter-add and the fused QKV layout are all exercised.
private let tinyConfig = BertConfig(
  vocabularySize: 11, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 12, maxPositions: 6,
  typeVocabularySize: 2, layerNormEpsilon: 1e-12, hiddenDropout: 0.2, attentionDropout: 0.2)

/// Runs `body` with the store's buffers as the layers address them (gradients always on).
private func withParameters<T>(_ store: ParameterStore, _ body: (ParameterPointers) -> T) -> T {
  store.values.withUnsafeBufferPointer { values in
    store.gradients.withUnsafeMutableBufferPointer { grads in
      body(ParameterPointers(values: values.baseAddress!, gradients: grads.baseAddress!))
    }
  }
}

/// Every value of every tensor of `store` set to N(0, scale²) (LayerNorm gains around 1), so no
/// gradient is trivially zero.
private func randomize(_ store: ParameterStore, rng: inout SplitMix64, scale: Float = 0.5) {
  for index in store.tensors.indices {
    let tensor = store.tensors[index]
    let offset: Float = tensor.name.hasSuffix("LayerNorm.weight") ? 1 : 0
    store.setValues((0..<tensor.count).map { _ in offset + rng.nextGaussian() * scale }, of: index)
  }
}

/// Checks the gradients of every tensor in `store` against central differences of `objective`.
private func checkParameterGradients(
  _ store: ParameterStore, objective: () -> Double, skipping: Set<String> = [], _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  for tensor in store.tensors where !skipping.contains(tensor.name) {
    let range = tensor.range
    let numeric = GradientCheck.numeric(
      count: range.count, step: 1e-2, get: { store.values[range.lowerBound + $0] },
      set: { store.values[range.lowerBound + $0] = $1 }, objective: objective)
    GradientCheck.expectMatch(
      Array(store.gradients[range]), numeric, tolerance: 2e-3, "\(what) \(tensor.name)",
      sourceLocation: sourceLocation)
  }
}

@Test func exactGELUMatchesErfValuesAndFiniteDifferences() {
  let gelu = ExactGELU()
  let y = gelu.forward(Matrix(rows: 1, cols: 4, storage: [1, -1, 0, 3]), training: false)
  // x·Φ(x): Φ(1) = 0.8413447, Φ(3) = 0.9986501; the tanh approximation differs in the 4th digit.
  let expected: [Float] = [0.841_344_7, -0.158_655_3, 0, 2.995_950_3]
  for (a, b) in zip(y.storage, expected) { #expect(abs(a - b) < 1e-6) }

  var rng = SplitMix64(seed: 3)
  var x = GradientCheck.randomMatrix(rows: 3, cols: 5, rng: &rng, scale: 2)
  let c = GradientCheck.randomMatrix(rows: 3, cols: 5, rng: &rng)
  _ = gelu.forward(x, training: true)
  let analytic = gelu.backward(c, needsInputGradient: true)!.storage
  let numeric = GradientCheck.numeric(
    count: x.count, step: 1e-3, get: { x.storage[$0] }, set: { x.storage[$0] = $1 },
    objective: { GradientCheck.weightedSum(gelu.forward(x, training: true), c) })
  GradientCheck.expectMatch(analytic, numeric, "exact GELU input")
  #expect(gelu.backward(c, needsInputGradient: false) == nil)
}

/// Tokens 1…10 with types, lengths 5 and 3 padded to 5.
private func tinyBatch(rng: inout SplitMix64) -> TokenBatch {
  TokenBatch(
    tokens: (0..<10).map { _ in Int32(1 + rng.next() % 10) }, lengths: [5, 3], length: 5,
    tokenTypes: [0, 0, 1, 1, 1, 0, 0, 0, 0, 0])
}

@Test(arguments: [false, true])
func bertEmbeddingGradientsMatchFiniteDifferences(training: Bool) {
  var rng = SplitMix64(seed: 21)
  let store = ParameterStore()
  let embeddings = BertEmbeddings(store: store, config: tinyConfig, dropoutSeed: 5)
  randomize(store, rng: &rng)
  // Token 3 appears twice, so its row's gradient must be the sum of both positions'.
  var batch = tinyBatch(rng: &rng)
  batch = TokenBatch(
    tokens: [3, 7, 3, 1, 9, 2, 4, 5, 0, 0], lengths: batch.lengths, length: 5, tokenTypes: batch.tokenTypes)
  let c = GradientCheck.randomMatrix(rows: 10, cols: 8, rng: &rng)
  let seed = embeddings.dropout.rng
  let objective = { () -> Double in
    embeddings.dropout.rng = seed
    return withParameters(store) { p in
      let y = embeddings.forward(batch, training: training, p)
      return GradientCheck.weightedSum(
        Matrix(rows: 10, cols: 8, storage: Array(UnsafeBufferPointer(start: y, count: 80))), c)
    }
  }
  store.zeroGradients()
  _ = objective()
  c.storage.withUnsafeBufferPointer { g in withParameters(store) { embeddings.backward(g.baseAddress!, $0) } }
  checkParameterGradients(
    store, objective: objective, skipping: ["embeddings.word_embeddings.weight"], "embeddings")
  // Rows of tokens never used get no gradient; checking only the used rows keeps the test short.
  let words = store.tensors[embeddings.words]
  for token in [0, 3, 6] {
    let range = (words.offset + token * 8)..<(words.offset + token * 8 + 8)
    let numeric = GradientCheck.numeric(
      count: 8, step: 1e-2, get: { store.values[range.lowerBound + $0] },
      set: { store.values[range.lowerBound + $0] = $1 }, objective: objective)
    if token == 6 {
      #expect(store.gradients[range].allSatisfy { $0 == 0 } && numeric.allSatisfy { abs($0) < 1e-4 })
    } else {
      GradientCheck.expectMatch(Array(store.gradients[range]), numeric, tolerance: 2e-3, "word row \(token)")
    }
  }
}

/// Checks one block half's input and parameter gradients, with padding, in evaluation or with
/// dropout (its generators rewound before every forward so each sees the same masks).
private func checkBlockHalf(
  training: Bool, seed: UInt64, _ what: String,
  make: (ParameterStore) -> (
    forward: (UnsafePointer<Float>, ParameterPointers) -> UnsafeMutablePointer<Float>,
    backward: (UnsafePointer<Float>, ParameterPointers) -> UnsafeMutablePointer<Float>?,
    rewind: () -> Void
  )
) {
  var rng = SplitMix64(seed: seed)
  let store = ParameterStore()
  let layer = make(store)
  randomize(store, rng: &rng)
  var x = GradientCheck.randomMatrix(rows: 10, cols: 8, rng: &rng)
  let c = GradientCheck.randomMatrix(rows: 10, cols: 8, rng: &rng)
  let objective = { () -> Double in
    layer.rewind()
    return x.storage.withUnsafeBufferPointer { input in
      withParameters(store) { p in
        let y = layer.forward(input.baseAddress!, p)
        return GradientCheck.weightedSum(
          Matrix(rows: 10, cols: 8, storage: Array(UnsafeBufferPointer(start: y, count: 80))), c)
      }
    }
  }
  store.zeroGradients()
  let analyticInput: [Float] = x.storage.withUnsafeBufferPointer { input in
    withParameters(store) { p in
      layer.rewind()
      _ = layer.forward(input.baseAddress!, p)
      let dx = c.storage.withUnsafeBufferPointer { layer.backward($0.baseAddress!, p)! }
      return Array(UnsafeBufferPointer(start: dx, count: 80))
    }
  }
  let numericInput = GradientCheck.numeric(
    count: 80, step: 1e-2, get: { x.storage[$0] }, set: { x.storage[$0] = $1 }, objective: objective)
  GradientCheck.expectMatch(analyticInput, numericInput, tolerance: 2e-3, "\(what) input")
  // The key bias cannot change the output: softmax ignores a constant added to a row's scores.
  checkParameterGradients(
    store, objective: objective, skipping: ["encoder.layer.0.attention.self.key.bias"], what)
}

@Test(arguments: [false, true])
func bertAttentionGradientsMatchFiniteDifferences(training: Bool) {
  checkBlockHalf(training: training, seed: training ? 31 : 32, "attention") { store in
    let attention = BertAttention(
      store: store, config: tinyConfig, layer: 0, group: "block0", dropoutSeeds: (7, 8))
    let seeds = (attention.probabilityDropout.rng, attention.outputDropout.rng)
    return (
      { x, p in attention.forward(x, lengths: [5, 3], length: 5, training: training, p) },
      { dy, p in attention.backward(dy, needsInputGradient: true, p) },
      {
        attention.probabilityDropout.rng = seeds.0
        attention.outputDropout.rng = seeds.1
      }
    )
  }
}

@Test(arguments: [false, true])
func bertFeedForwardGradientsMatchFiniteDifferences(training: Bool) {
  checkBlockHalf(training: training, seed: training ? 41 : 42, "feed-forward") { store in
    let feedForward = BertFeedForward(
      store: store, config: tinyConfig, layer: 0, group: "block0", dropoutSeed: 9)
    let seed = feedForward.dropout.rng
    return (
      { x, p in feedForward.forward(x, rows: 10, training: training, p) },
      { dy, p in feedForward.backward(dy, needsInputGradient: true, p) },
      { feedForward.dropout.rng = seed }
    )
  }
}

@Test(arguments: [BertPooling.mean, .cls])
func bertHeadGradientsMatchFiniteDifferences(pooling: BertPooling) {
  var rng = SplitMix64(seed: 51)
  let store = ParameterStore()
  let head = BertHead(store: store, config: tinyConfig, classes: 3, pooling: pooling, dropoutSeed: 4)
  randomize(store, rng: &rng)
  var x = GradientCheck.randomMatrix(rows: 10, cols: 8, rng: &rng)
  let c = GradientCheck.randomMatrix(rows: 2, cols: 3, rng: &rng)
  let seed = head.dropout.rng
  let objective = { () -> Double in
    head.dropout.rng = seed
    return x.storage.withUnsafeBufferPointer { input in
      withParameters(store) { p in
        let y = head.forward(input.baseAddress!, lengths: [5, 3], length: 5, training: true, p)
        return GradientCheck.weightedSum(
          Matrix(rows: 2, cols: 3, storage: Array(UnsafeBufferPointer(start: y, count: 6))), c)
      }
    }
  }
  store.zeroGradients()
  _ = objective()
  let analytic: [Float] = c.storage.withUnsafeBufferPointer { g in
    withParameters(store) { p in
      let dx = head.backward(g.baseAddress!, needsInputGradient: true, p)!
      return Array(UnsafeBufferPointer(start: dx, count: 80))
    }
  }
  let numeric = GradientCheck.numeric(
    count: 80, step: 1e-2, get: { x.storage[$0] }, set: { x.storage[$0] = $1 }, objective: objective)
  GradientCheck.expectMatch(analytic, numeric, tolerance: 2e-3, "\(pooling) head input")
  // Padding rows take no part in either pooling; with cls only each sequence's first row does.
  for row in [8, 9] { #expect(analytic[(row * 8)..<(row * 8 + 8)].allSatisfy { $0 == 0 }) }
  checkParameterGradients(store, objective: objective, "\(pooling) head")
}
