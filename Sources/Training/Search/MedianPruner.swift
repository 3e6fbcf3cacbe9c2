/// The median rule as Optuna's `MedianPruner`: after `startupTrials` trials have completed, and
/// from epoch `warmupEpochs` on, a trial is pruned when its best validation loss so far is worse
/// than the median of the completed trials' losses at the same epoch.
public struct MedianPruner: TrialPruner {
  public let startupTrials: Int
  public let warmupEpochs: Int
  /// Completed trials needed at an epoch before it is judged at all (Optuna's `n_min_trials`).
  public let minimumTrials: Int
  private var losses: [Int: [Int: Double]] = [:]
  private var completed: Set<Int> = []

  public init(startupTrials: Int = 5, warmupEpochs: Int = 0, minimumTrials: Int = 1) {
    self.startupTrials = startupTrials
    self.warmupEpochs = warmupEpochs
    self.minimumTrials = max(1, minimumTrials)
  }

  public mutating func report(trial: Int, epoch: Int, validationLoss: Double) -> String? {
    losses[trial, default: [:]][epoch] = validationLoss
    guard !completed.isEmpty, completed.count >= startupTrials, epoch >= warmupEpochs else { return nil }
    let best = losses[trial]!.values.filter { !$0.isNaN }.min() ?? .nan
    guard !best.isNaN else { return "its validation loss is not a number" }
    let others = completed.sorted().compactMap { losses[$0]?[epoch] }
    guard others.count >= minimumTrials, let median = percentile(others, 50) else { return nil }
    guard best > median else { return nil }
    return
      "median rule at epoch \(epoch): best validation loss \(String(format: "%.4g", best)) is worse than the median \(String(format: "%.4g", median)) of \(others.count) completed trials"
  }

  public mutating func trialCompleted(_ trial: Int) { completed.insert(trial) }
}
