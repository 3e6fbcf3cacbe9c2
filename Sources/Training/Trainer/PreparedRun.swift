import Foundation

/// A run ready to train: checked settings, its data splits and its model with the base weights loaded.
///
/// Preparing does all the work that can fail on bad input (config, CSV, checkpoint) before anything
/// is written to disk, so bad input exits with a clear message and leaves no run directory behind.
public final class PreparedRun {
  /// The settings as resolved: `hidden_sizes` is the base model's when one is loaded.
  public let hyperParameters: HyperParameters
  public let train: Dataset
  public let validation: Dataset
  public let test: Dataset
  public let model: MLP
  /// Where the starting weights came from, for logs: `builtin`, a path, or `none`.
  public let baseDescription: String
  /// How a CSV task's rows became inputs; stored with every checkpoint. Nil for the built-in task.
  public internal(set) var preprocessing: TablePreprocessing?
  /// A CSV task's classes per split and encodings, for the summary.
  public internal(set) var tableReport: TableReport?
  /// Per-class weights of the training loss (`class_weights: balanced`).
  public internal(set) var classWeights: [Float]?

  init(
    hyperParameters: HyperParameters, train: Dataset, validation: Dataset, test: Dataset, model: MLP,
    baseDescription: String
  ) {
    self.hyperParameters = hyperParameters
    self.train = train
    self.validation = validation
    self.test = test
    self.model = model
    self.baseDescription = baseDescription
  }

  /// The built-in tasks `task` may name instead of a CSV path.
  public static let builtInTasks = ["thick-digits", "inverted-digits", "clean-digits"]

  /// `preprocessing` is a resumed run's own, which wins over refitting or the base model's.
  public static func prepare(
    _ settings: HyperParameters, preprocessing: TablePreprocessing? = nil
  ) throws -> PreparedRun {
    var hyperParameters = settings
    try hyperParameters.validate()
    let base = try loadBase(hyperParameters)
    var table: TableTask? = nil
    let splits: (train: Dataset, validation: Dataset, test: Dataset)
    if DigitsVariant(task: hyperParameters.task) == nil {
      let inherited =
        try preprocessing
        ?? base.flatMap { try TablePreprocessing.from(metadata: $0.file.metadata, path: $0.path) }
      table = try loadTable(hyperParameters, inherited: inherited, baseDescription: base?.path ?? "the run")
      splits = (table!.splits.train, table!.splits.validation, table!.splits.test)
    } else {
      splits = try loadData(hyperParameters)
    }
    // Checked here, not in `validate()`: how many samples there are depends on the data, not the config.
    guard hyperParameters.batchSize <= splits.train.count else {
      throw ConfigError(
        key: ConfigKey.batchSize.name,
        message:
          "batch_size (\(hyperParameters.batchSize)) must be at most the number of training samples (\(splits.train.count)); lower batch_size or raise train_samples"
      )
    }

    let architecture: MLPArchitecture
    if let base {
      architecture = base.architecture
      hyperParameters.hiddenSizes = base.architecture.hiddenSizes
    } else {
      architecture = MLPArchitecture(
        inputSize: splits.train.featureCount, hiddenSizes: hyperParameters.hiddenSizes,
        classes: splits.train.classes)
    }
    let dataClasses = max(splits.train.classes, splits.validation.classes, splits.test.classes)
    guard architecture.inputSize == splits.train.featureCount else {
      throw ConfigError(
        key: "base_model",
        message:
          "the data has \(splits.train.featureCount) feature columns but the base model \(hyperParameters.baseModel) takes \(architecture.inputSize) inputs"
      )
    }
    var classes = architecture.classes
    if base != nil && hyperParameters.resetHead {
      classes = dataClasses
    } else if dataClasses > classes {
      throw ConfigError(
        key: "reset_head",
        message:
          "the data has labels up to \(dataClasses - 1) but the base model's head has \(classes) classes; set reset_head: true to start a new head"
      )
    }

    let model = MLP(
      inputSize: architecture.inputSize, hiddenSizes: architecture.hiddenSizes, classes: classes,
      dropout: Float(hyperParameters.dropout), seed: UInt64(hyperParameters.seed))
    if let base {
      try model.load(
        base.file, path: base.path, skipping: hyperParameters.resetHead ? ["head"] : [])
    }
    try hyperParameters.validate(groups: model.groupNames)
    let prepared = PreparedRun(
      hyperParameters: hyperParameters, train: splits.train, validation: splits.validation,
      test: splits.test, model: model, baseDescription: base?.path ?? "none")
    prepared.preprocessing = table?.preprocessing
    prepared.tableReport = table?.report
    prepared.classWeights = table?.classWeights
    return prepared
  }

  private static func loadTable(
    _ hp: HyperParameters, inherited: TablePreprocessing?, baseDescription: String
  ) throws -> TableTask {
    guard FileManager.default.fileExists(atPath: hp.task) else {
      throw ConfigError(
        key: "task",
        message:
          "no such file \(hp.task); use one of \(builtInTasks.joined(separator: ", ")) or the path of a CSV file"
      )
    }
    for (key, path) in [("val_task", hp.valTask), ("test_task", hp.testTask)]
    where path != "none" && !FileManager.default.fileExists(atPath: path) {
      throw ConfigError(
        key: key, message: "\(key): no such file \(path); give the path of a CSV file or none")
    }
    return try TableTask.load(hp, base: inherited, baseDescription: baseDescription)
  }

  private static func loadData(_ hp: HyperParameters) throws -> (
    train: Dataset, validation: Dataset, test: Dataset
  ) {
    switch hp.task {
    case "thick-digits", "inverted-digits", "clean-digits":
      let splits = try DigitsTask.fineTuningSplits(
        variant: DigitsVariant(task: hp.task)!, trainSamples: hp.trainSamples, valFraction: hp.valFraction,
        seed: hp.seed)
      return (splits.train, splits.validation, splits.test)
    default:
      guard FileManager.default.fileExists(atPath: hp.task) else {
        throw ConfigError(
          key: "task",
          message:
            "no such file \(hp.task); use one of \(builtInTasks.joined(separator: ", ")) or the path of a CSV file"
        )
      }
      let data = try CSVDataset.load(path: hp.task)
      let splits = try FineTuningSplits.split(
        data, trainSamples: hp.trainSamples, valFraction: hp.valFraction, seed: hp.seed)
      return (splits.train, splits.validation, splits.test)
    }
  }

  private struct Base {
    var file: SafeTensorsFile
    var path: String
    var architecture: MLPArchitecture
  }

  private static func loadBase(_ hp: HyperParameters) throws -> Base? {
    let url: URL
    switch hp.baseModel {
    case "none":
      return nil
    case "builtin":
      url = try BuiltInModel.url()
    default:
      guard FileManager.default.fileExists(atPath: hp.baseModel) else {
        throw ConfigError(
          key: "base_model",
          message: "no such file \(hp.baseModel); use builtin, none or the path of a safetensors file")
      }
      url = URL(fileURLWithPath: hp.baseModel)
    }
    let file = try SafeTensors.read(from: url)
    let path = hp.baseModel == "builtin" ? "builtin (\(url.lastPathComponent))" : url.path
    return Base(file: file, path: path, architecture: try MLPArchitecture(checkpoint: file, path: path))
  }
}

/// The base model shipped with tunetop: an MLP pretrained on clean digits by `tunetop pretrain`.
public enum BuiltInModel {
  public static let resourceName = "base"

  public static func url() throws -> URL {
    guard
      let url = Bundle.module.url(
        forResource: resourceName, withExtension: "safetensors", subdirectory: "Resources")
    else {
      throw CheckpointMismatchError(
        path: "Resources/base.safetensors",
        message: "the built-in base model is missing from the package; rebuild it with `tunetop pretrain`")
    }
    return url
  }

  /// Where `tunetop pretrain` writes by default: the package's resource folder, for committing.
  public static let sourcePath = "Sources/Training/Resources/base.safetensors"
}
