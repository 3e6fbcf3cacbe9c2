/// Every setting of a fine-tuning run (DESIGN §5); the defaults are the recommended starting point.
///
/// Field names are the config keys in camelCase; `ConfigKey.all` describes the snake_case keys
/// (help, range, default) for the loader, `--set` and the dashboard form.
public struct HyperParameters: Equatable, Sendable, Codable {
  /// `thick-digits` (the built-in task), `inverted-digits`, or the path of a CSV file.
  public var task: String = "thick-digits"
  /// `builtin` (the shipped base model), `none` (train from scratch), or a safetensors path.
  public var baseModel: String = "builtin"
  public var hiddenSizes: [Int] = [128, 64]
  public var resetHead: Bool = false
  public var seed: Int = 42
  /// Training samples drawn from the candidates; `HyperParameters.allSamples` (`all`) takes every one.
  public var trainSamples: Int = 100
  public var valFraction: Double = 0.3
  public var learningRate: Double = 1e-3
  public var batchSize: Int = 16
  public var epochs: Int = 40
  public var optimizer: OptimizerKind = .adamw
  public var momentum: Double = 0.9
  public var weightDecay: Double = 0.01
  public var dropout: Double = 0.1
  public var labelSmoothing: Double = 0
  /// Maximum global gradient norm; 0 turns clipping off.
  public var gradClip: Double = 1
  public var schedule: ScheduleKind = .cosine
  public var warmupEpochs: Int = 1
  public var minLRRatio: Double = 0.01
  /// Epochs between decays of the `step` schedule; patience of `plateau`.
  public var stepSize: Int = 10
  public var gamma: Double = 0.5
  /// Evaluations without improvement before stopping; 0 turns early stopping off.
  public var earlyStoppingPatience: Int = 10
  public var minDelta: Double = 0
  /// What early stopping and the `best` checkpoint follow.
  public var monitor: MonitoredMetric = .validationLoss
  public var frozen: [String] = []
  /// Unfreeze one more group, top down, every this many epochs; 0 turns it off.
  public var unfreezeEvery: Int = 0
  /// LR multiplier between a group and the one above it; the head gets 1.
  public var layerLRDecay: Double = 1
  /// Batches whose gradients add up to one optimizer step (effective batch = batchSize × this).
  public var gradAccumSteps: Int = 1
  /// Validate every this many optimizer steps as well as at each epoch's end; 0 = once per epoch.
  public var evalEverySteps: Int = 0
  /// Text tasks: longest token sequence fed to an encoder; longer texts are truncated. Must be at
  /// most the encoder's position count, which is checked once the model is loaded.
  public var maxSeqLen: Int = 128
  /// Text tasks: how an encoder's token states become one vector for the head: `mean` (over the
  /// real tokens) or `cls` (the first token's state).
  public var pooling: String = "mean"
  /// Scaling of a CSV task's features: `auto`, `standard`, `minmax` or `none`; a base model's
  /// stored statistics always win, and `auto` is `standard` from scratch, else `none`.
  public var normalize: String = "auto"
  /// A CSV file used whole as the validation set, or `none` to split one off the task.
  public var valTask: String = "none"
  /// A CSV file used whole as the test set, or `none` to split one off the task.
  public var testTask: String = "none"
  /// `balanced` weights each class's training loss by n / (classes · n_class); `none` weighs all alike.
  public var classWeights: String = "none"
  /// Text models: `full` fine-tuning or `lora` (adapters train, the encoder's weights stay fixed).
  public var method: String = "full"
  /// LoRA: rank of each adapter.
  public var loraRank: Int = 8
  /// LoRA: the adapters' update is scaled by loraAlpha / loraRank.
  public var loraAlpha: Double = 16
  /// LoRA: dropout on each adapter's input.
  public var loraDropout: Double = 0.1
  /// LoRA: the projections of every block that get adapters, by PEFT's names (`LoRATarget`).
  public var loraTargets: [String] = ["query", "value"]

  /// The `train_samples` value spelled `all`: every training candidate.
  public static let allSamples = Int.max

  public init() {}

  /// Samples behind one optimizer step: `batch_size` × `grad_accum_steps`.
  public var samplesPerStep: Int { max(1, batchSize) * max(1, gradAccumSteps) }

  /// Optimizer steps in an epoch over `trainSamples` samples (a short last step included).
  public func stepsPerEpoch(trainSamples: Int) -> Int {
    max(1, (trainSamples + samplesPerStep - 1) / samplesPerStep)
  }
}

/// The optimizers a run can use.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
  case sgd, nesterov, adam, adamw
}

/// The learning-rate schedules a run can use; each may have a linear warmup in front.
public enum ScheduleKind: String, CaseIterable, Codable, Sendable {
  case constant, step, exponential, cosine, linear
  case oneCycle = "one_cycle"
  case plateau
}
