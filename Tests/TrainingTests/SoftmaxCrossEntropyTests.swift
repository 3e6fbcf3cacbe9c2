import Foundation
import Testing

@testable import Training

/// -Σ t·log softmax(z) per row, averaged, written the slow obvious way in Double.
private func referenceLoss(_ logits: Matrix, _ labels: [Int], smoothing: Double) -> Double {
  var total: Double = 0
  for row in 0..<logits.rows {
    let z = (0..<logits.cols).map { Double(logits[row, $0]) }
    let normaliser = z.map { exp($0) }.reduce(0, +)
    for k in 0..<logits.cols {
      let target = (k == labels[row] ? 1 - smoothing : 0) + smoothing / Double(logits.cols)
      total -= target * log(exp(z[k]) / normaliser)
    }
  }
  return total / Double(logits.rows)
}

@Test(arguments: [Float(0), 0.1])
func crossEntropyGradientMatchesFiniteDifferences(smoothing: Float) {
  var rng = SplitMix64(seed: 41)
  let loss = SoftmaxCrossEntropy(labelSmoothing: smoothing)
  var logits = GradientCheck.randomMatrix(rows: 4, cols: 5, rng: &rng, scale: 2)
  let labels = [0, 3, 4, 1]
  let analytic = loss.lossAndGradient(logits: logits, labels: labels).gradient.storage
  let numeric = GradientCheck.numeric(
    count: logits.count, get: { logits.storage[$0] }, set: { logits.storage[$0] = $1 },
    objective: { loss.evaluate(logits: logits, labels: labels).loss })
  GradientCheck.expectMatch(analytic, numeric, "cross-entropy, smoothing \(smoothing)")
}

@Test(arguments: [Float(0), 0.2])
func crossEntropyValueMatchesTheDefinition(smoothing: Float) {
  var rng = SplitMix64(seed: 42)
  let logits = GradientCheck.randomMatrix(rows: 6, cols: 4, rng: &rng, scale: 3)
  let labels = [0, 1, 2, 3, 2, 1]
  let result = SoftmaxCrossEntropy(labelSmoothing: smoothing).lossAndGradient(logits: logits, labels: labels)
  let expected = referenceLoss(logits, labels, smoothing: Double(smoothing))
  #expect(abs(result.loss - expected) < 1e-6 * max(1, expected))
}

@Test(arguments: [Float(0), 0.1])
func uniformLogitsCostLogK(smoothing: Float) {
  let loss = SoftmaxCrossEntropy(labelSmoothing: smoothing)
  for offset: Float in [0, 3.5, 10_000] {
    let logits = Matrix(rows: 2, cols: 10, repeating: offset)
    let value = loss.evaluate(logits: logits, labels: [3, 7]).loss
    #expect(abs(value - log(10)) < 1e-9, "offset \(offset)")
  }
}

@Test func crossEntropyIsStableForHugeLogits() {
  let logits = Matrix(rows: 1, cols: 3, storage: [1e4, -1e4, 0])
  let result = SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: [1])
  #expect(abs(result.loss - 2e4) < 1)
  #expect(result.gradient.storage.allSatisfy { $0.isFinite })
  #expect(abs(result.gradient.storage[0] - 1) < 1e-6)
  #expect(abs(result.gradient.storage[1] + 1) < 1e-6)
}

@Test func crossEntropyCountsArgmaxHitsAndAgreesWithTheEvaluationPath() {
  let logits = Matrix(rows: 3, cols: 3, storage: [2, 1, 0, 0, 5, 1, 1, 0, 3])
  let labels = [0, 2, 2]
  let loss = SoftmaxCrossEntropy(labelSmoothing: 0.05)
  let training = loss.lossAndGradient(logits: logits, labels: labels)
  let evaluation = loss.evaluate(logits: logits, labels: labels)
  #expect(training.correct == 2)
  #expect(evaluation.correct == 2)
  #expect(training.loss == evaluation.loss)
}
