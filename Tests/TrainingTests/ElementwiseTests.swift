import Testing

@testable import Training

private func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = SplitMix64(seed: seed)
  return (0..<count).map { _ in rng.nextGaussian() * scale }
}

// Odd counts exercise the scalar tails after the 8-wide loops.
private let counts = [0, 1, 7, 8, 13, 64, 1001]

@Test(arguments: counts)
func adamUpdateKernelsAgreeBitForBit(count: Int) {
  guard GEMMKernel.hostHasAVX2FMA else { return }
  for (decoupled, coupled): (Float, Float) in [(1e-3 * 0.01, 0), (0, 0.01)] {
    var results: [[Float]] = []
    for path in [Elementwise.Path.portable, .avx2] {
      var p = randomValues(count, seed: 1)
      let g = randomValues(count, seed: 2)
      var m = randomValues(count, seed: 3, scale: 0.1)
      var v = randomValues(count, seed: 4, scale: 0.01).map { $0 * $0 }
      p.withUnsafeMutableBufferPointer { p in
        g.withUnsafeBufferPointer { g in
          m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
              Elementwise.adamUpdate(
                count: count, p: p.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!,
                beta1: 0.9, beta2: 0.999, decoupledDecay: decoupled, coupledDecay: coupled,
                stepSize: 1e-3 / 0.19,
                inverseCorrection2Root: 22.36, epsilon: 1e-8, path: path)
            }
          }
        }
      }
      results.append(p + m + v)
    }
    #expect(results[0] == results[1])
  }
}

@Test(arguments: counts)
func activationAndReductionKernelsAgree(count: Int) {
  guard GEMMKernel.hostHasAVX2FMA else { return }
  let x = randomValues(count, seed: 5)
  let g = randomValues(count, seed: 6)
  func run(_ path: Elementwise.Path) -> (
    relu: [Float], reluGrad: [Float], product: [Float], scaled: [Float], squares: Double
  ) {
    var relu = [Float](repeating: 0, count: count)
    var reluGrad = [Float](repeating: 0, count: count)
    var product = [Float](repeating: 0, count: count)
    var scaled = x
    var squares = 0.0
    x.withUnsafeBufferPointer { x in
      g.withUnsafeBufferPointer { g in
        relu.withUnsafeMutableBufferPointer { y in
          Elementwise.reluForward(count: count, x.baseAddress!, y.baseAddress!, path: path)
          reluGrad.withUnsafeMutableBufferPointer { dx in
            Elementwise.reluBackward(
              count: count, output: UnsafePointer(y.baseAddress!), gradient: g.baseAddress!, dx.baseAddress!,
              path: path)
          }
        }
        product.withUnsafeMutableBufferPointer {
          Elementwise.multiply(count: count, x.baseAddress!, g.baseAddress!, $0.baseAddress!, path: path)
        }
        squares = Elementwise.sumOfSquares(count: count, x.baseAddress!, path: path)
      }
    }
    scaled.withUnsafeMutableBufferPointer {
      Elementwise.scale(count: count, $0.baseAddress!, by: 0.37, path: path)
    }
    return (relu, reluGrad, product, scaled, squares)
  }
  let portable = run(.portable)
  let avx2 = run(.avx2)
  #expect(portable.relu == avx2.relu)
  #expect(portable.reluGrad == avx2.reluGrad)
  #expect(portable.product == avx2.product)
  #expect(portable.scaled == avx2.scaled)
  // Summed in a different order: equal to rounding.
  #expect(abs(portable.squares - avx2.squares) <= 1e-12 * max(1, portable.squares))
  #expect(portable.relu.allSatisfy { $0 >= 0 })
}

@Test(arguments: [(1, 1), (3, 7), (5, 32), (4, 45), (32, 256)])
func columnSumKernelsMatchTheObviousLoop(rows: Int, cols: Int) {
  let g = randomValues(rows * cols, seed: 9)
  let start = randomValues(cols, seed: 10)
  var expected = start
  for j in 0..<cols { for r in 0..<rows { expected[j] += g[r * cols + j] } }
  var paths: [Elementwise.Path] = [.portable]
  if GEMMKernel.hostHasAVX2FMA { paths.append(.avx2) }
  for path in paths {
    var out = start
    g.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer {
        Elementwise.addColumnSums(rows: rows, cols: cols, g.baseAddress!, into: $0.baseAddress!, path: path)
      }
    }
    #expect(out == expected, "\(path)")
  }
}

@Test func groupNormsInOnePassMatchTheSeparateOnes() {
  let model = MLP(inputSize: 6, hiddenSizes: [9, 5], classes: 3, dropout: 0, seed: 3)
  let store = model.store
  store.gradients = randomValues(store.count, seed: 11)
  store.setFrozen(true, group: "hidden1")
  var norms: [Double] = []
  let (global, trainable) = store.gradientNorms(into: &norms)
  #expect(norms.count == store.groups.count)
  for (index, group) in store.groups.enumerated() {
    #expect(abs(norms[index] - Double(store.gradientNorm(group: group))) <= 1e-6 * norms[index])
  }
  let all = store.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
  #expect(abs(global - all) <= 1e-9 * all)
  let measured = Double(clipGradientNorm(store, maxNorm: 0))
  #expect(abs(trainable - measured) <= 1e-6 * measured)
  #expect(trainable < global)
}

/// A training step must write the same buffers every time: a layer output or gradient whose
/// storage moves between steps was copied (copy-on-write), which is an allocation per step.
@Test(arguments: [Float(0), 0.2])
func trainingStepsReuseTheirBuffers(dropout: Float) {
  let model = MLP(inputSize: 8, hiddenSizes: [16, 12], classes: 4, dropout: dropout, seed: 5)
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
  let loss = SoftmaxCrossEntropy()
  var batch = Matrix(rows: 6, cols: 8)
  let labels = [0, 1, 2, 3, 0, 1]
  var rng = SplitMix64(seed: 12)
  var norms: [Double] = []

  func address(_ matrix: Matrix) -> UnsafeRawPointer? {
    matrix.storage.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
  }
  func addresses() -> [UnsafeRawPointer?] {
    var result: [UnsafeRawPointer?] = [address(batch)]
    for group in model.groups {
      for layer in group.layers {
        switch layer {
        case let dense as Dense: result += [address(dense.output), address(dense.inputGradient)]
        case let relu as ReLU: result += [address(relu.output), address(relu.inputGradient)]
        case let drop as Dropout: result += [address(drop.output), address(drop.inputGradient)]
        default: break
        }
      }
    }
    return result
  }
  func step() {
    batch.storage.withUnsafeMutableBufferPointer { values in
      for i in values.indices { values[i] = rng.nextGaussian() }
    }
    model.store.zeroGradients()
    let logits = model.forward(batch, training: true)
    let result = loss.lossAndGradient(logits: logits, labels: labels)
    model.backward(result.gradient)
    let (_, trainable) = model.store.gradientNorms(into: &norms)
    clipGradientNorm(model.store, maxNorm: 1, measuredNorm: trainable)
    optimizer.step(learningRate: 1e-2)
  }

  step()
  step()
  let warm = addresses()
  for _ in 0..<3 {
    step()
    #expect(addresses() == warm)
  }
  // An evaluation pass in between must not make the next training step copy anything either.
  _ = model.forward(batch, training: false)
  step()
  #expect(addresses() == warm)
}
