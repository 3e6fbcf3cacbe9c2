/// The contents of a run's `summary.json`: how it ended and its best result.
///
/// Read leniently (docs/run-directory.md): a run written by another trainer may leave out or null
/// any field but `status`, and a summary without `format` is tunetop's own format 1.
public struct RunSummary: Sendable, Equatable, Codable {
  /// The run-directory format this process writes.
  public static let currentFormat = 2
  /// What tunetop writes in `trainer`.
  public static let tunetopTrainer = "tunetop"

  public var status: RunStatus
  /// Which program wrote the run: `tunetop`, `pytorch`, `transformers` or `lightning`.
  public var source: String = RunSource.tunetop
  /// The writing program and its version, for people; nil when the summary does not say.
  public var trainer: String?
  public var epochsRun: Int
  /// The epoch of the best evaluation: the epoch in progress when that was a mid-epoch one.
  public var bestEpoch: Int
  /// The optimizer step of the best evaluation, which tells a mid-epoch best from its epoch's end;
  /// nil in summaries written before `eval_every_steps` and by writers that do not say.
  public var bestStep: Int?
  public var bestValidationLoss: Double
  public var bestValidationAccuracy: Double
  /// Accuracy of the best checkpoint on the held-out test split, once the run has ended.
  public var testAccuracy: Double?
  public var samplesPerSecond: Double
  public var wallSeconds: Double
  public var steps: Int
  /// Why the run ended when that is not obvious from the status (divergence, a disk error).
  public var reason: String?
  /// The process that writes the run, so a listing can tell a live run from a killed one.
  public var writer: RunWriter?
  /// The hyperparameter search this run is a trial of, and its trial number (from 1).
  public var search: String?
  public var trial: Int?
  /// The cluster node that ran it (Ray's node id) when a scheduler placed it; two nodes can share a host.
  public var node: String?
  /// The run this one was forked from; nil for a run that started from the base model.
  public var parent: RunParent?
  /// What `best_epoch` follows; nil in summaries written before `monitor` (the validation loss).
  public var monitor: MonitoredMetric?
  /// Per-class validation metrics of the best epoch.
  public var bestClasses: BestClassMetrics?
  /// A CSV task's classes, rows per class of each split, and encodings; nil for the built-in task.
  public var data: TableReport?

  public init(
    status: RunStatus, epochsRun: Int = 0, bestEpoch: Int = 0, bestValidationLoss: Double = .nan,
    bestValidationAccuracy: Double = .nan, testAccuracy: Double? = nil, samplesPerSecond: Double = 0,
    wallSeconds: Double = 0, steps: Int = 0, reason: String? = nil, writer: RunWriter? = nil,
    search: String? = nil, trial: Int? = nil,
    parent: RunParent? = nil, monitor: MonitoredMetric? = nil, bestClasses: BestClassMetrics? = nil
  ) {
    self.status = status
    self.epochsRun = epochsRun
    self.bestEpoch = bestEpoch
    self.bestValidationLoss = bestValidationLoss
    self.bestValidationAccuracy = bestValidationAccuracy
    self.testAccuracy = testAccuracy
    self.samplesPerSecond = samplesPerSecond
    self.wallSeconds = wallSeconds
    self.steps = steps
    self.reason = reason
    self.writer = writer
    self.search = search
    self.trial = trial
    self.parent = parent
    self.monitor = monitor
    self.bestClasses = bestClasses
  }

  /// True for a run written by tunetop itself, the only kind resume and fork can continue.
  public var isTunetopRun: Bool { source == RunSource.tunetop }

  enum CodingKeys: String, CodingKey {
    case format, source, trainer
    case status
    case epochsRun = "epochs_run"
    case bestEpoch = "best_epoch"
    case bestStep = "best_step"
    case bestValidationLoss = "best_val_loss"
    case bestValidationAccuracy = "best_val_accuracy"
    case testAccuracy = "test_accuracy"
    case samplesPerSecond = "samples_per_second"
    case wallSeconds = "wall_seconds"
    case steps
    case reason
    case pid
    case pidStarted = "pid_started"
    case host
    case search, trial, node
    case parent
    case monitor
    case bestClasses = "best_classes"
    case data
  }
}

extension RunSummary {
  // JSON has no NaN: a value that does not exist yet (no validation before the first epoch) is null.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(Self.currentFormat, forKey: .format)
    try container.encode(source, forKey: .source)
    try container.encode(trainer ?? Self.tunetopTrainer, forKey: .trainer)
    try container.encode(status, forKey: .status)
    try container.encode(epochsRun, forKey: .epochsRun)
    try container.encode(bestEpoch, forKey: .bestEpoch)
    try container.encodeIfPresent(bestStep, forKey: .bestStep)
    try container.encode(bestValidationLoss.finiteOrNil, forKey: .bestValidationLoss)
    try container.encode(bestValidationAccuracy.finiteOrNil, forKey: .bestValidationAccuracy)
    try container.encode(testAccuracy?.finiteOrNil, forKey: .testAccuracy)
    try container.encode(samplesPerSecond.finiteOrNil, forKey: .samplesPerSecond)
    try container.encode(wallSeconds, forKey: .wallSeconds)
    try container.encode(steps, forKey: .steps)
    try container.encodeIfPresent(reason, forKey: .reason)
    try container.encodeIfPresent(writer?.pid, forKey: .pid)
    try container.encodeIfPresent(writer?.started, forKey: .pidStarted)
    try container.encodeIfPresent(writer?.host, forKey: .host)
    try container.encodeIfPresent(search, forKey: .search)
    try container.encodeIfPresent(trial, forKey: .trial)
    try container.encodeIfPresent(node, forKey: .node)
    try container.encodeIfPresent(parent, forKey: .parent)
    try container.encodeIfPresent(monitor, forKey: .monitor)
    try container.encodeIfPresent(bestClasses, forKey: .bestClasses)
    try container.encodeIfPresent(data, forKey: .data)
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    status = try container.decode(RunStatus.self, forKey: .status)
    source = try container.decodeIfPresent(String.self, forKey: .source) ?? RunSource.tunetop
    trainer = try container.decodeIfPresent(String.self, forKey: .trainer)
    epochsRun = try container.decodeIfPresent(Int.self, forKey: .epochsRun) ?? 0
    bestEpoch = try container.decodeIfPresent(Int.self, forKey: .bestEpoch) ?? 0
    bestStep = try? container.decodeIfPresent(Int.self, forKey: .bestStep)
    bestValidationLoss = try container.decodeIfPresent(Double.self, forKey: .bestValidationLoss) ?? .nan
    bestValidationAccuracy =
      try container.decodeIfPresent(Double.self, forKey: .bestValidationAccuracy) ?? .nan
    testAccuracy = try container.decodeIfPresent(Double.self, forKey: .testAccuracy)
    samplesPerSecond = try container.decodeIfPresent(Double.self, forKey: .samplesPerSecond) ?? 0
    wallSeconds = try container.decodeIfPresent(Double.self, forKey: .wallSeconds) ?? 0
    steps = try container.decodeIfPresent(Int.self, forKey: .steps) ?? 0
    reason = try container.decodeIfPresent(String.self, forKey: .reason)
    // Summaries written before `host` and `pid_started` existed came from this machine.
    writer = try container.decodeIfPresent(Int32.self, forKey: .pid).map {
      RunWriter(
        pid: $0, started: try container.decodeIfPresent(UInt64.self, forKey: .pidStarted),
        host: try container.decodeIfPresent(String.self, forKey: .host) ?? RunWriter.current.host)
    }
    search = try container.decodeIfPresent(String.self, forKey: .search)
    trial = try container.decodeIfPresent(Int.self, forKey: .trial)
    node = try container.decodeIfPresent(String.self, forKey: .node)
    parent = try container.decodeIfPresent(RunParent.self, forKey: .parent)
    // A monitor this version does not know is left out rather than failing the whole summary.
    monitor = (try? container.decodeIfPresent(String.self, forKey: .monitor)).flatMap {
      $0.flatMap(MonitoredMetric.init(rawValue:))
    }
    bestClasses = try? container.decodeIfPresent(BestClassMetrics.self, forKey: .bestClasses)
    data = try container.decodeIfPresent(TableReport.self, forKey: .data)
  }
}

extension Double {
  var finiteOrNil: Double? { isFinite ? self : nil }
}

/// The writers a run directory names in `summary.json`'s `source`.
public enum RunSource {
  public static let tunetop = "tunetop"
  public static let pytorch = "pytorch"
  public static let transformers = "transformers"
  public static let lightning = "lightning"
}
