import Foundation

/// One step of an LR range test: the rate used, the batch loss, and fastai's debiased EMA of it.
public struct LRRangePoint: Sendable, Equatable {
  public var learningRate: Double
  public var loss: Double
  public var smoothedLoss: Double
}

/// The curve of an LR range test and the rate it suggests.
public struct LRRangeTestResult: Sendable, Equatable {
  public var points: [LRRangePoint]
  /// The valley rule's pick, or nil when the curve was too short to judge (it diverged at once).
  public var suggestedLearningRate: Double?
  /// Index into `points` of the suggestion.
  public var suggestedIndex: Int?
  /// Why the test ended: it ran all its steps, or the smoothed loss passed the divergence bound.
  public var stoppedEarly: Bool

  /// `lr,loss,smoothed_loss` with a header, one row per step, for pandas or a spreadsheet.
  public func csv() -> String {
    var text = "lr,loss,smoothed_loss\n"
    for point in points {
      text +=
        [point.learningRate, point.loss, point.smoothedLoss].map { String(format: "%.8g", $0) }
        .joined(separator: ",") + "\n"
    }
    return text
  }
}
