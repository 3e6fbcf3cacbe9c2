/// The validation number that early stopping and the `best` checkpoint follow (`monitor`).
public enum MonitoredMetric: String, CaseIterable, Codable, Sendable {
  case validationLoss = "val_loss"
  case validationAccuracy = "val_accuracy"
  case validationMacroF1 = "val_macro_f1"

  public var higherIsBetter: Bool { self != .validationLoss }

  /// The metric's value for an epoch; NaN when the epoch has none (no per-class metrics).
  public func value(of metrics: EpochMetrics) -> Double {
    switch self {
    case .validationLoss: metrics.validationLoss
    case .validationAccuracy: metrics.validationAccuracy
    case .validationMacroF1: metrics.classes?.macroF1 ?? .nan
    }
  }

  /// The value turned so that lower is better, which is what `EarlyStopping` compares.
  public func score(of metrics: EpochMetrics) -> Double {
    higherIsBetter ? -value(of: metrics) : value(of: metrics)
  }

  /// Whether `metrics` beats `best` (any epoch beats none; NaN never beats anything).
  public func isBetter(_ metrics: EpochMetrics, than best: EpochMetrics?) -> Bool {
    let score = score(of: metrics)
    guard score.isFinite else { return false }
    guard let best else { return true }
    let bestScore = self.score(of: best)
    return !bestScore.isFinite || score < bestScore
  }

  /// `validation loss`, for sentences.
  public var phrase: String {
    switch self {
    case .validationLoss: "validation loss"
    case .validationAccuracy: "validation accuracy"
    case .validationMacroF1: "validation macro-F1"
    }
  }
}
