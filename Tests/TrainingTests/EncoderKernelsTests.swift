import Foundation
import Testing

@testable import Training

/// Runs `body` with a mutable pointer to a copy of `values` and returns the copy afterwards.
private func mutated(_ values: [Float], _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
  var copy = values
  copy.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
  return copy
}

private func gaussians(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = SplitMix64(seed: seed)
  return (0..<count).map { _ in rng.nextGaussian() * scale }
}

/// Both paths on this host: the portable loops, and the AVX-512 kernels where the CPU has them.
private let paths: [Elementwise.Path] = EncoderKernels.hostHasAVX512 ? [.portable, .automatic] : [.portable]

private func largestRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
  let scale = b.map(abs).max() ?? 0
  return zip(a, b).map { abs($0 - $1) }.max().map { scale > 0 ? $0 / scale : $0 } ?? 0
}

@Test func geluMatchesFoundationsErfcInDoublePrecision() {
  // A dense grid over [-10, 10] (every tail and the branch at 0) and odd counts for the vector tails.
  let x = (0...20_000).map { Float(-10 + Double($0) / 1000) } + [0, -0, 1e-20, -1e-20, 30, -30]
  let reference = x.map { v -> Double in Double(v) * 0.5 * erfc(-Double(v) / 2.0.squareRoot()) }
  let gradientReference = x.map { v -> Double in
    let d = Double(v)
    return 0.5 * erfc(-d / 2.0.squareRoot()) + d * exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
  }
  let ones = [Float](repeating: 1, count: x.count)
  let y = mutated(x) { EncoderKernels.geluForward(count: x.count, $0, $0) }
  let dx = mutated(ones) { dy in
    x.withUnsafeBufferPointer {
      EncoderKernels.geluBackward(count: x.count, input: $0.baseAddress!, outputGradient: dy, dy)
    }
  }
  var worst = 0.0
  var worstGradient = 0.0
  for i in x.indices where abs(reference[i]) > 1e-30 {
    worst = max(worst, abs(Double(y[i]) - reference[i]) / abs(reference[i]))
  }
  for i in x.indices {
    // The derivative crosses zero near x = -0.75, so its error is measured against max(1, |d|).
    worstGradient = max(
      worstGradient, abs(Double(dx[i]) - gradientReference[i]) / max(1, abs(gradientReference[i])))
  }
  if EncoderKernels.hostHasAVX512 {
    // The polynomial path: a few units in the last place everywhere, the negative tail included.
    #expect(worst < 1e-6, "GELU relative error \(worst)")
  } else {
    // Foundation's erf: 1 + erf(x/√2) cancels for negative x, so only the positive side is tight.
    #expect(
      zip(x, y).allSatisfy {
        $0.0 < 0
          || abs(Double($0.1) - Double($0.0) * 0.5 * erfc(-Double($0.0) / 2.0.squareRoot())) < 1e-6
            * max(1, Double($0.0))
      })
  }
  #expect(worstGradient < 1e-6, "GELU derivative error \(worstGradient)")
  #expect(y[x.count - 2] == 30 && y[x.count - 1] == 0)
}

@Test(arguments: [1, 15, 16, 17, 64, 100])
func maskedSoftmaxAgreesAcrossPathsAndZeroesPadding(valid: Int) {
  let stride = valid + 3
  let scores = gaussians(4 * stride, seed: 2, scale: 4)
  let results = paths.map { path in
    mutated(scores) { EncoderKernels.maskedSoftmax(rows: 4, valid: valid, stride: stride, $0, path: path) }
  }
  for result in results {
    for row in 0..<4 {
      let line = Array(result[(row * stride)..<((row + 1) * stride)])
      #expect(abs(line.prefix(valid).reduce(0, +) - 1) < 1e-5)
      #expect(line.suffix(3) == [0, 0, 0])
    }
  }
  #expect(largestRelativeDifference(results.last!, results[0]) < 1e-6)
}

// 40,003 values are split between two threads (TwoThreads.minimumElements), the second half drawing
// from the stream where the first half stops.
@Test(arguments: [0, 1, 15, 16, 17, 1001, 40003])
func dropoutDrawsTheSameMasksOnEveryPath(count: Int) {
  let x = gaussians(count, seed: 3)
  var outcomes: [([Float], [UInt8], UInt64, [Float])] = []
  for path in paths {
    var rng = SplitMix64(seed: 77)
    var mask = [UInt8](repeating: 9, count: count)
    let threshold = UInt64((Float(0.3) * 16_777_216).rounded(.up))
    let y = mutated(x) { y in
      mask.withUnsafeMutableBufferPointer { m in
        EncoderKernels.dropoutForward(
          count: count, y, y, mask: m.baseAddress!, rng: &rng, threshold: threshold, scale: 1 / 0.7,
          path: path)
      }
    }
    let back = mutated(x) { g in
      mask.withUnsafeBufferPointer {
        EncoderKernels.dropoutApply(count: count, g, mask: $0.baseAddress!, scale: 1 / 0.7, g, path: path)
      }
    }
    outcomes.append((y, mask, rng.state, back))
  }
  // The reference: one `next()` per value, in order, as `Dropout` draws.
  var rng = SplitMix64(seed: 77)
  let keeps = (0..<count).map { _ in rng.next() >> 40 >= UInt64((Float(0.3) * 16_777_216).rounded(.up)) }
  for (y, mask, state, back) in outcomes {
    #expect(mask == keeps.map { $0 ? 1 : 0 })
    #expect(y == zip(x, keeps).map { $1 ? $0 * (1 / 0.7) : 0 })
    #expect(back == y)
    #expect(state == rng.state)
  }
  if count > 100 { #expect(keeps.filter { !$0 }.count > count / 5) }
}

@Test(arguments: [8, 33, 384])
func layerNormAndSoftmaxBackwardAgreeAcrossPaths(features: Int) {
  let rows = 5
  let x = gaussians(rows * features, seed: 4, scale: 3)
  let gamma = gaussians(features, seed: 5).map { $0 + 1 }
  let beta = gaussians(features, seed: 6)
  let dy = gaussians(rows * features, seed: 7)
  var results: [[Float]] = []
  for path in paths {
    var xhat = [Float](repeating: 0, count: rows * features)
    var rstd = [Float](repeating: 0, count: rows)
    var y = [Float](repeating: 0, count: rows * features)
    var dgamma = [Float](repeating: 0.5, count: features)
    var dbeta = [Float](repeating: -0.5, count: features)
    var dx = dy
    x.withUnsafeBufferPointer { x in
      gamma.withUnsafeBufferPointer { g in
        beta.withUnsafeBufferPointer { b in
          EncoderKernels.layerNormForward(
            rows: rows, features: features, x.baseAddress!, gamma: g.baseAddress!, beta: b.baseAddress!,
            epsilon: 1e-12, normalized: &xhat, reciprocalStd: &rstd, &y, path: path)
          dx.withUnsafeMutableBufferPointer { d in
            // dx written over dy, as the embeddings do.
            EncoderKernels.layerNormBackward(
              rows: rows, features: features, outputGradient: d.baseAddress!, normalized: xhat,
              reciprocalStd: rstd, gamma: g.baseAddress!, gainGradient: &dgamma, biasGradient: &dbeta,
              inputGradient: d.baseAddress!, path: path)
          }
        }
      }
    }
    let probabilities = mutated(x) {
      EncoderKernels.maskedSoftmax(rows: rows, valid: features - 1, stride: features, $0)
    }
    let dscores = mutated(dy) { d in
      EncoderKernels.softmaxBackward(
        rows: rows, valid: features - 1, stride: features, probabilities: probabilities, d, path: path)
    }
    let sum = mutated(y) { s in
      x.withUnsafeBufferPointer {
        EncoderKernels.add(count: rows * features, $0.baseAddress!, into: s, path: path)
      }
    }
    results.append(y + xhat + rstd + dx + dgamma + dbeta + dscores + sum)
    // LayerNorm's output has mean β and the normalised rows mean 0, variance 1.
    let row = Array(xhat.prefix(features))
    #expect(abs(row.reduce(0, +) / Float(features)) < 1e-5)
    #expect(abs(row.map { $0 * $0 }.reduce(0, +) / Float(features) - 1) < 1e-4)
  }
  #expect(largestRelativeDifference(results.last!, results[0]) < 1e-5)
}
