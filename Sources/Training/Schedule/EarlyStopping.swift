/// Stops a run once the validation loss has not improved by more than `minDelta` for `patience`
/// evaluations in a row (Keras semantics); patience 0 turns it off but still tracks the best epoch.
public struct EarlyStopping: Sendable, Equatable {
  /// What the trainer should do after an evaluation.
  public enum Decision: Sendable, Equatable {
    /// A new best: the trainer saves the `best` checkpoint.
    case improved
    /// No improvement for this many evaluations in a row, fewer than the patience.
    case waited(Int)
    case stop
  }

  /// Editable mid-run; lowering it below `waited` stops at the next evaluation.
  public var patience: Int
  public var minDelta: Double
  public private(set) var bestValue: Double?
  public private(set) var bestEpoch: Int?
  /// Evaluations since the last improvement.
  public private(set) var waited = 0

  public init(patience: Int, minDelta: Double = 0) {
    self.patience = patience
    self.minDelta = minDelta
  }

  public init(_ hyperParameters: HyperParameters) {
    self.init(patience: hyperParameters.earlyStoppingPatience, minDelta: hyperParameters.minDelta)
  }

  /// Records one evaluation. A NaN loss never counts as an improvement.
  public mutating func observe(valLoss: Double, epoch: Int) -> Decision {
    observe(score: valLoss, epoch: epoch)
  }

  /// Records one evaluation of any metric where lower is better (`MonitoredMetric.score`).
  public mutating func observe(score: Double, epoch: Int) -> Decision {
    if score < (bestValue ?? .infinity) - minDelta {
      bestValue = score
      bestEpoch = epoch
      waited = 0
      return .improved
    }
    waited += 1
    return patience > 0 && waited >= patience ? .stop : .waited(waited)
  }
}
