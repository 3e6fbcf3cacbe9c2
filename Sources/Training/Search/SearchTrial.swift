/// One trial of a search as the search sees it live: what it tried, how far it got, how it ended.
public struct SearchTrial: Sendable, Equatable {
  /// From 1, in the order trials were started.
  public var number: Int
  public var assignment: [SampledValue]
  /// The sampled values as `key`/`value` text, in space order.
  public var parameters: [SearchParameter]
  /// `running` until the trial ends, then its run's final status.
  public var status: RunStatus
  /// Validation loss and accuracy after each epoch from 1, for live curves.
  public var validationLosses: [Double] = []
  public var validationAccuracies: [Double] = []
  /// The run directory, once created.
  public var directory: String?
  /// The run's summary once it ended.
  public var summary: RunSummary?
  /// Why it ended early (pruning, divergence, a config the model rejects).
  public var reason: String?
  /// Its summary still says running but the process writing it is gone (killed, its node lost).
  public var writerGone = false

  /// Best validation loss, the quantity the search minimises; nil while running or without one.
  public var objective: Double? {
    guard let loss = summary?.bestValidationLoss, loss.isFinite else { return nil }
    return loss
  }

  /// Whether the trial ran to its own end (all epochs or early stopping).
  public var isComplete: Bool { status == .completed || status == .earlyStopped }
}

/// One sampled hyperparameter of a trial, spelt as `--set` takes it.
public struct SearchParameter: Sendable, Equatable {
  public var key: String
  public var value: String
}

/// The state of a whole search at one moment, for a live view.
public struct SearchSnapshot: Sendable, Equatable {
  public var id: String
  public var directory: String
  public var plannedTrials: Int
  /// Started trials, by number.
  public var trials: [SearchTrial]
  /// Whether every worker has finished (all trials ran, or the search was stopped).
  public var isFinished: Bool
  public var stopRequested: Bool

  /// The number of the best trial so far: lowest objective among complete trials, else among pruned ones.
  public var bestTrial: Int? { SearchSnapshot.best(of: trials)?.number }

  static func best(of trials: [SearchTrial]) -> SearchTrial? {
    let scored = trials.filter { $0.objective != nil }
    let pool = scored.contains(where: \.isComplete) ? scored.filter(\.isComplete) : scored
    return pool.min { ($0.objective!, $0.number) < ($1.objective!, $1.number) }
  }
}

/// What a search reports as it goes, in order.
public enum SearchEvent: Sendable, Equatable {
  case trialStarted(SearchTrial)
  case trialEpoch(trial: Int, metrics: EpochMetrics)
  case trialFinished(SearchTrial)
  case finished
}
