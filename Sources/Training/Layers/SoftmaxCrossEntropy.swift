import Foundation

/// Softmax followed by cross-entropy against integer labels, averaged over the batch: the loss the
/// trainer minimises and the numbers (loss, correct count) the dashboard shows.
///
/// With label smoothing ε the target row is (1 - ε)·onehot + ε/K. Each row's maximum is subtracted
/// before exponentiating so large logits cannot overflow. The per-logit work is in `Float` with one
/// `exp` per logit (kept for the gradient); only the per-row scalars (log of the row sum, the loss)
/// are in `Double`.
public final class SoftmaxCrossEntropy {
  /// ε in [0, 1); mutable so a run can change it between steps.
  public var labelSmoothing: Float
  /// Per-class weights of the training loss: the loss is Σ w_y·L / Σ w_y over the batch, as
  /// PyTorch's `CrossEntropyLoss(weight=)`. Nil weighs every row alike.
  public var classWeights: [Float]?

  /// dL/dlogits of the last `lossAndGradient`, kept so its allocation is reused between steps.
  private var gradient = Matrix(rows: 0, cols: 0)

  public init(labelSmoothing: Float = 0) {
    self.labelSmoothing = labelSmoothing
  }

  /// Mean loss, number of rows whose argmax equals the label, and dL/dlogits of the mean loss
  /// times `gradientScale`. With gradient accumulation a batch that is a share s of the samples of
  /// one optimizer step passes s, so the accumulated gradient is that of the step's mean loss.
  public func lossAndGradient(
    logits: Matrix, labels: [Int], gradientScale: Double = 1
  ) -> (loss: Double, correct: Int, gradient: Matrix) {
    gradient.reshape(rows: logits.rows, cols: logits.cols)
    let smoothing = labelSmoothing
    let result = gradient.storage.withUnsafeMutableBufferPointer { dz in
      Self.run(
        logits: logits, labels: labels, smoothing: smoothing, weights: classWeights, gradient: dz.baseAddress,
        gradientScale: gradientScale)
    }
    return (result.loss, result.correct, gradient)
  }

  /// Mean loss and correct count without forming a gradient, for validation passes.
  public func evaluate(logits: Matrix, labels: [Int]) -> (loss: Double, correct: Int) {
    Self.run(
      logits: logits, labels: labels, smoothing: labelSmoothing, weights: nil, gradient: nil, gradientScale: 1
    )
  }

  private static func run(
    logits: Matrix, labels: [Int], smoothing: Float, weights: [Float]?,
    gradient dz: UnsafeMutablePointer<Float>?, gradientScale: Double
  ) -> (loss: Double, correct: Int) {
    let (batch, classes) = (logits.rows, logits.cols)
    precondition(labels.count == batch, "\(labels.count) labels for \(batch) rows")
    precondition(classes > 0, "cross-entropy needs at least one class")
    guard batch > 0 else { return (0, 0) }
    let onTarget = 1 - Double(smoothing)  // in Double, so the targets sum to 1 exactly
    let offTarget = Double(smoothing) / Double(classes)
    let inverseBatch: Double
    if let weights {
      inverseBatch = 1 / labels.reduce(0.0) { $0 + Double(weights[$1]) }
    } else {
      inverseBatch = 1 / Double(batch)
    }
    // A scale of 1 leaves this exactly 1/batch, so unaccumulated steps are unchanged bit for bit.
    let gradientWeight = inverseBatch * gradientScale
    var gradientOn = Float((onTarget + offTarget) * gradientWeight)
    var gradientOff = Float(offTarget * gradientWeight)
    var inverseBatchFloat = Float(gradientWeight)
    var totalLoss: Double = 0
    var correct = 0
    logits.storage.withUnsafeBufferPointer { z in
      for row in 0..<batch {
        let label = labels[row]
        precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
        let zRow = z.baseAddress! + row * classes
        var maxIndex = 0
        var maxValue = zRow[0]
        for k in 1..<classes where zRow[k] > maxValue {
          maxValue = zRow[k]
          maxIndex = k
        }
        if maxIndex == label { correct += 1 }
        var sumExp: Float = 0
        var sumShifted: Float = 0
        if let dz {
          // exp(shifted) goes straight into the gradient row and is normalised below.
          let dRow = dz + row * classes
          for k in 0..<classes {
            let shifted = zRow[k] - maxValue
            let e = exp(shifted)
            dRow[k] = e
            sumExp += e
            sumShifted += shifted
          }
        } else {
          for k in 0..<classes {
            let shifted = zRow[k] - maxValue
            sumExp += exp(shifted)
            sumShifted += shifted
          }
        }
        // sumExp >= 1 (the maximum contributes exp(0)), so the log is finite.
        let logSumExp = log(Double(sumExp))
        // -Σ t_k·log p_k, with log p_k = shifted_k - logSumExp and the targets summing to 1.
        let labelLogProbability = Double(zRow[label] - maxValue) - logSumExp
        let sumLogProbability = Double(sumShifted) - Double(classes) * logSumExp
        let rowWeight = weights.map { Double($0[label]) } ?? 1
        totalLoss -= rowWeight * (onTarget * labelLogProbability + offTarget * sumLogProbability)
        guard let dz else { continue }
        if let weights {
          let factor = Double(weights[label]) * gradientWeight
          gradientOn = Float((onTarget + offTarget) * factor)
          gradientOff = Float(offTarget * factor)
          inverseBatchFloat = Float(factor)
        }
        // (p_k - t_k)/batch with p_k = e_k/Σe.
        let dRow = dz + row * classes
        let scale = inverseBatchFloat / sumExp
        for k in 0..<classes { dRow[k] = dRow[k] * scale - (k == label ? gradientOn : gradientOff) }
      }
    }
    return (totalLoss * inverseBatch, correct)
  }
}
