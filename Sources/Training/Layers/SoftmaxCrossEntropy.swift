import Foundation

/// Softmax followed by cross-entropy against integer labels, averaged over the batch: the loss the
/// trainer minimises and the numbers (loss, correct count) the dashboard shows.
///
/// With label smoothing ε the target row is (1 - ε)·onehot + ε/K. Each row's maximum is subtracted
/// before exponentiating so large logits cannot overflow; sums are taken in `Double`.
public final class SoftmaxCrossEntropy {
  /// ε in [0, 1); mutable so a run can change it between steps.
  public var labelSmoothing: Float

  /// dL/dlogits of the last `lossAndGradient`, kept so its allocation is reused between steps.
  private var gradient = Matrix(rows: 0, cols: 0)

  public init(labelSmoothing: Float = 0) {
    self.labelSmoothing = labelSmoothing
  }

  /// Mean loss, number of rows whose argmax equals the label, and dL/dlogits of the mean loss.
  public func lossAndGradient(
    logits: Matrix, labels: [Int]
  ) -> (loss: Double, correct: Int, gradient: Matrix) {
    gradient.reshape(rows: logits.rows, cols: logits.cols)
    let smoothing = labelSmoothing
    let result = gradient.storage.withUnsafeMutableBufferPointer { dz in
      Self.run(logits: logits, labels: labels, smoothing: smoothing, gradient: dz.baseAddress)
    }
    return (result.loss, result.correct, gradient)
  }

  /// Mean loss and correct count without forming a gradient, for validation passes.
  public func evaluate(logits: Matrix, labels: [Int]) -> (loss: Double, correct: Int) {
    Self.run(logits: logits, labels: labels, smoothing: labelSmoothing, gradient: nil)
  }

  private static func run(
    logits: Matrix, labels: [Int], smoothing: Float, gradient dz: UnsafeMutablePointer<Float>?
  ) -> (loss: Double, correct: Int) {
    let (batch, classes) = (logits.rows, logits.cols)
    precondition(labels.count == batch, "\(labels.count) labels for \(batch) rows")
    precondition(classes > 0, "cross-entropy needs at least one class")
    guard batch > 0 else { return (0, 0) }
    let onTarget = 1 - Double(smoothing)  // in Double, so the targets sum to 1 exactly
    let offTarget = Double(smoothing) / Double(classes)
    let inverseBatch = 1 / Double(batch)
    var totalLoss: Double = 0
    var correct = 0
    logits.storage.withUnsafeBufferPointer { z in
      for row in 0..<batch {
        let label = labels[row]
        precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
        let base = row * classes
        var maxIndex = 0
        var maxValue = z[base]
        for k in 1..<classes where z[base + k] > maxValue {
          maxValue = z[base + k]
          maxIndex = k
        }
        if maxIndex == label { correct += 1 }
        var sumExp: Double = 0
        var sumShifted: Double = 0
        for k in 0..<classes {
          let shifted = Double(z[base + k] - maxValue)
          sumExp += exp(shifted)
          sumShifted += shifted
        }
        let logSumExp = log(sumExp)
        // -Σ t_k·log p_k, with log p_k = shifted_k - logSumExp and the targets summing to 1.
        let labelLogProbability = Double(z[base + label] - maxValue) - logSumExp
        let sumLogProbability = sumShifted - Double(classes) * logSumExp
        totalLoss -= onTarget * labelLogProbability + offTarget * sumLogProbability
        guard let dz else { continue }
        for k in 0..<classes {
          let probability = exp(Double(z[base + k] - maxValue) - logSumExp)
          let target = (k == label ? onTarget : 0) + offTarget
          dz[base + k] = Float((probability - target) * inverseBatch)
        }
      }
    }
    return (totalLoss * inverseBatch, correct)
  }
}
