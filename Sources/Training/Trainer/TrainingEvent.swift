/// Where a run is in its life; the raw values are the `status` strings of `summary.json`.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
  case running, paused, completed, stopped, interrupted, diverged, failed
  case earlyStopped = "early_stopped"
  /// Stopped early by a hyperparameter search's pruner; the summary's `reason` says why.
  case pruned

  /// True once the run can make no further progress.
  public var isFinal: Bool {
    switch self {
    case .running, .paused: false
    default: true
    }
  }
}

/// What the trainer knows about a run when it starts: enough for the UI to lay out its charts.
public struct RunStart: Sendable, Equatable {
  public var directory: String?
  public var hyperParameters: HyperParameters
  public var stepsPerEpoch: Int
  public var totalSteps: Int
  public var groups: [String]
  public var parameterCounts: [String: Int]
  public var frozen: [String]
  public var trainSamples: Int
  public var validationSamples: Int
}

/// Metrics of one optimizer step, published after the step is applied.
public struct StepMetrics: Sendable, Equatable {
  public var step: Int
  public var epoch: Int
  public var loss: Double
  public var accuracy: Double
  public var learningRate: Double
  /// Global gradient norm before clipping.
  public var gradientNorm: Double
  public var gradientNorms: [String: Double]
  public var samplesPerSecond: Double
}

/// Metrics of one finished epoch; epoch 0 is the model before any training.
public struct EpochMetrics: Sendable, Equatable, Codable {
  public var epoch: Int
  public var step: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var learningRate: Double
  /// Seconds since the run started.
  public var seconds: Double
  /// True when this epoch is the new best (lowest validation loss).
  public var isBest: Bool
  /// Mean gradient norm of each layer group over the epoch's steps (before clipping).
  public var gradientNorms: [String: Double] = [:]
}

/// A change made to a running run by the user (or by gradual unfreezing), as it took effect.
public enum HotEdit: Sendable, Equatable {
  case learningRate(Double)
  case dropout(Double)
  case weightDecay(Double)
  case freeze(group: String, frozen: Bool, bySchedule: Bool)
}

/// Everything the trainer thread tells the UI, in order.
public enum TrainingEvent: Sendable, Equatable {
  case started(RunStart)
  case step(StepMetrics)
  case epoch(EpochMetrics)
  case statusChanged(RunStatus)
  case hotEdit(HotEdit, step: Int)
  /// Something went wrong that does not end the run by itself (or explains why it ended).
  case message(String)
  case finished(RunSummary)
}
