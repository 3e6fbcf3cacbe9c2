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
  /// The names of the classes, by index.
  public var classLabels: ClassLabels?
  /// The model's kind (`mlp`, `bert`); nil when a followed run's files do not say.
  public var modelKind: String?

  /// Public so code outside the engine (benchmarks, previews) can script a run's events.
  public init(
    directory: String?, hyperParameters: HyperParameters, stepsPerEpoch: Int, totalSteps: Int,
    groups: [String],
    parameterCounts: [String: Int], frozen: [String], trainSamples: Int, validationSamples: Int,
    classLabels: ClassLabels? = nil, modelKind: String? = nil
  ) {
    self.modelKind = modelKind
    self.directory = directory
    self.hyperParameters = hyperParameters
    self.stepsPerEpoch = stepsPerEpoch
    self.totalSteps = totalSteps
    self.groups = groups
    self.parameterCounts = parameterCounts
    self.frozen = frozen
    self.trainSamples = trainSamples
    self.validationSamples = validationSamples
    self.classLabels = classLabels
  }
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
  /// Each layer group's gradient norm before clipping.
  public var gradientNorms: GroupNorms
  public var samplesPerSecond: Double
  /// Real (non-padding) tokens trained on per second, for text runs; nil for feature rows.
  public var tokensPerSecond: Double?

  public init(
    step: Int, epoch: Int, loss: Double, accuracy: Double, learningRate: Double, gradientNorm: Double,
    gradientNorms: GroupNorms, samplesPerSecond: Double, tokensPerSecond: Double? = nil
  ) {
    self.step = step
    self.epoch = epoch
    self.loss = loss
    self.accuracy = accuracy
    self.learningRate = learningRate
    self.gradientNorm = gradientNorm
    self.gradientNorms = gradientNorms
    self.samplesPerSecond = samplesPerSecond
    self.tokensPerSecond = tokensPerSecond
  }
}

/// Metrics of one evaluation: at an epoch's end (epoch 0 is the model before any training) or, with
/// `eval_every_steps`, in the middle of one.
public struct EpochMetrics: Sendable, Equatable, Codable {
  /// The epoch the evaluation ended, or for a mid-epoch one the epoch in progress.
  public var epoch: Int
  public var step: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var learningRate: Double
  /// Seconds since the run started.
  public var seconds: Double
  /// True when this epoch is the new best by the run's `monitor` (lowest validation loss by default).
  public var isBest: Bool
  /// Mean gradient norm of each layer group over the epoch's steps (before clipping).
  public var gradientNorms: [String: Double] = [:]
  /// Per-class metrics and the confusion matrix of the validation set.
  public var classes: ClassMetrics?
  /// Where a mid-epoch evaluation happened, in epochs (`EpochPosition`): 2.5 halfway through epoch
  /// 3. Nil for an evaluation at the end of `epoch`.
  public var midEpoch: Double?

  /// Where the evaluation happened, in epochs: `epoch` at an epoch's end, else `midEpoch`. It grows
  /// from one evaluation of a run to the next, so it orders and tells them apart.
  public var position: Double { midEpoch ?? Double(epoch) }
  public var isEpochEnd: Bool { midEpoch == nil }
  /// The `epoch` cell of `metrics.csv` and `classes.csv`: `3`, or `2.5` mid-epoch.
  public var epochText: String { midEpoch.map(EpochPosition.text) ?? String(epoch) }

  public init(
    epoch: Int, step: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
    validationAccuracy: Double, learningRate: Double, seconds: Double, isBest: Bool,
    gradientNorms: [String: Double] = [:], classes: ClassMetrics? = nil, midEpoch: Double? = nil
  ) {
    self.epoch = epoch
    self.midEpoch = midEpoch
    self.step = step
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
    self.isBest = isBest
    self.gradientNorms = gradientNorms
    self.classes = classes
  }
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
