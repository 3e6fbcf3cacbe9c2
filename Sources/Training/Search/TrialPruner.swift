/// Decides, from a trial's validation loss after an epoch, whether the trial should stop early.
public protocol TrialPruner: Sendable {
  /// Records `validationLoss` of `trial` after `epoch` (from 1) and returns why to prune it, or nil
  /// to let it continue.
  mutating func report(trial: Int, epoch: Int, validationLoss: Double) -> String?
  /// Tells the pruner that `trial` ran to its end (completed or early-stopped), not pruned.
  mutating func trialCompleted(_ trial: Int)
}

/// The pruners `tunetop search --pruner` offers.
public enum PrunerKind: String, Sendable, CaseIterable {
  case asha, median, none
}

/// Never prunes.
public struct NoPruner: TrialPruner {
  public init() {}
  public mutating func report(trial: Int, epoch: Int, validationLoss: Double) -> String? { nil }
  public mutating func trialCompleted(_ trial: Int) {}
}

/// numpy's default percentile: linear interpolation between the closest ranks.
func percentile(_ values: [Double], _ percent: Double) -> Double? {
  let sorted = values.filter { !$0.isNaN }.sorted()
  guard !sorted.isEmpty else { return nil }
  let rank = percent / 100 * Double(sorted.count - 1)
  let below = Int(rank.rounded(.down))
  let above = min(below + 1, sorted.count - 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - Double(below))
}
