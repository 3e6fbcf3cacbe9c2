/// What a hyperparameter search adds to a run that is one of its trials.
public struct TrialHooks: Sendable {
  /// Written to `summary.json` so a trial can be traced back to its search.
  public var search: String?
  public var trial: Int?
  /// The cluster node that runs the trial (Ray's node id), written to `summary.json` as `node`.
  public var node: String?
  /// Called on the training thread after each epoch from 1 on, once its metrics are on disk; a
  /// non-nil answer ends the run as `pruned` with that answer as the reason (unless early stopping
  /// ended it at that epoch already). Deciding here rather than through the mailbox means the
  /// verdict applies to exactly the epoch it judged.
  public var reviewEpoch: (@Sendable (EpochMetrics) -> String?)?

  public init(
    search: String? = nil, trial: Int? = nil, reviewEpoch: (@Sendable (EpochMetrics) -> String?)? = nil
  ) {
    self.search = search
    self.trial = trial
    self.reviewEpoch = reviewEpoch
  }
}
