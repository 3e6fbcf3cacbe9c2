import Foundation

/// A run ready to train: checked settings, its data splits and its model with the base weights loaded.
///
/// The model is any `FineTunableModel` and the splits are whatever samples it reads; nothing here
/// or above (trainer, LR finder, search, dashboard) asks which. `ModelFactory` is the one place
/// that builds a model of a given kind from the settings.
///
/// Preparing does all the work that can fail on bad input (config, CSV, checkpoint) before anything
/// is written to disk, so bad input exits with a clear message and leaves no run directory behind.
public final class PreparedRun {
  /// The settings as resolved: `hidden_sizes` is the base model's when one is loaded.
  public let hyperParameters: HyperParameters
  public let train: any LabeledSamples
  public let validation: any LabeledSamples
  public let test: any LabeledSamples
  public let model: any FineTunableModel
  /// Where the starting weights came from, for logs: `builtin`, a path, or `none`.
  public let baseDescription: String
  /// How a CSV task's rows became inputs; stored with every checkpoint. Nil for the built-in task.
  public internal(set) var preprocessing: TablePreprocessing?
  /// A CSV task's classes per split and encodings, for the summary.
  public internal(set) var tableReport: TableReport?
  /// Per-class weights of the training loss (`class_weights: balanced`).
  public internal(set) var classWeights: [Float]?
  /// A text task's classes, token counts and the tokenizer's settings; nil for feature rows.
  public internal(set) var textTask: TextTask?
  /// What every checkpoint of a text run carries to rebuild its model and inputs; nil otherwise.
  public internal(set) var bertInfo: BertCheckpointInfo?

  /// The task's class names when it has them (a CSV table's or a text task's), else nil.
  public var classNames: ClassLabels? { textTask?.classes ?? preprocessing?.classes }

  /// Metadata written into every checkpoint besides format, epoch and step: how inputs are made.
  public var checkpointMetadata: [String: String] { bertInfo?.metadata ?? preprocessing?.metadata ?? [:] }

  /// What `tunetop train` prints before the run starts: classes per split and how inputs are made.
  public var startLines: String? { textTask?.startLines ?? tableReport?.startLines }

  init(
    hyperParameters: HyperParameters, train: any LabeledSamples, validation: any LabeledSamples,
    test: any LabeledSamples, model: any FineTunableModel, baseDescription: String
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
    if try ModelFactory.family(for: hyperParameters) == .bert { return try prepareText(hyperParameters) }
    var table: TableTask? = nil
    let splits: (train: Dataset, validation: Dataset, test: Dataset)
    if let variant = DigitsVariant(task: hyperParameters.task) {
      let digits = try DigitsTask.fineTuningSplits(
        variant: variant, trainSamples: hyperParameters.trainSamples,
        valFraction: hyperParameters.valFraction,
        seed: hyperParameters.seed)
      splits = (digits.train, digits.validation, digits.test)
    } else {
      let inherited = try preprocessing ?? basePreprocessing(hyperParameters)
      let baseDescription = hyperParameters.baseModel == "none" ? "the run" : hyperParameters.baseModel
      table = try loadTable(hyperParameters, inherited: inherited, baseDescription: baseDescription)
      splits = (table!.splits.train, table!.splits.validation, table!.splits.test)
    }
    // Checked here, not in `validate()`: how many samples there are depends on the data, not the config.
    guard hyperParameters.batchSize <= splits.train.count else {
      throw ConfigError(
        key: ConfigKey.batchSize.name,
        message:
          "batch_size (\(hyperParameters.batchSize)) must be at most the number of training samples (\(splits.train.count)); lower batch_size or raise train_samples"
      )
    }

    let built = try ModelFactory.make(
      &hyperParameters, train: splits.train, validation: splits.validation, test: splits.test)
    for split in [splits.train, splits.validation, splits.test] as [any LabeledSamples] {
      try built.model.checkInputs(split)
    }
    try hyperParameters.validate(groups: built.model.groupNames)
    let prepared = PreparedRun(
      hyperParameters: hyperParameters, train: splits.train, validation: splits.validation,
      test: splits.test, model: built.model, baseDescription: built.baseDescription)
    prepared.preprocessing = table?.preprocessing
    prepared.tableReport = table?.report
    prepared.classWeights = table?.classWeights
    return prepared
  }

  /// A text task on a BERT-family encoder: the base's tokenizer reads the texts, truncated to
  /// `max_seq_len`, which must fit the encoder's positions.
  private static func prepareText(_ settings: HyperParameters) throws -> PreparedRun {
    let hyperParameters = settings
    let base = try BertBase.open(hyperParameters.baseModel)
    guard hyperParameters.maxSeqLen <= base.config.maxPositions else {
      throw ConfigError(
        key: ConfigKey.maxSeqLen.name,
        message:
          "max_seq_len is \(hyperParameters.maxSeqLen) but \(base.description) has \(base.config.maxPositions) positions (max_position_embeddings); set max_seq_len to at most \(base.config.maxPositions)"
      )
    }
    let task = try TextTask.load(
      hyperParameters, tokenizer: base.tokenizer,
      baseClasses: base.keptClasses(resetHead: hyperParameters.resetHead))
    guard hyperParameters.batchSize <= task.train.count else {
      throw ConfigError(
        key: ConfigKey.batchSize.name,
        message:
          "batch_size (\(hyperParameters.batchSize)) must be at most the number of training samples (\(task.train.count)); lower batch_size or raise train_samples"
      )
    }
    let built = try ModelFactory.make(hyperParameters, text: task, base: base)
    for split in [task.train, task.validation, task.test] { try built.model.checkInputs(split) }
    try hyperParameters.validate(groups: built.model.groupNames)
    let prepared = PreparedRun(
      hyperParameters: hyperParameters, train: task.train, validation: task.validation, test: task.test,
      model: built.model, baseDescription: built.baseDescription)
    prepared.textTask = task
    prepared.tableReport = task.report
    prepared.classWeights = task.classWeights
    prepared.bertInfo = BertCheckpointInfo(
      configJSON: base.configJSON, tokenizerFolder: base.tokenizerFolder,
      pooling: BertPooling(rawValue: hyperParameters.pooling) ?? .mean, maxSeqLen: hyperParameters.maxSeqLen,
      classes: task.classes)
    return prepared
  }

  /// The scaling and encodings stored with a base model file, which a table task reuses.
  private static func basePreprocessing(_ hp: HyperParameters) throws -> TablePreprocessing? {
    guard hp.baseModel != "none", hp.baseModel != "builtin",
      FileManager.default.fileExists(atPath: hp.baseModel)
    else { return nil }
    let file = try SafeTensors.read(from: URL(fileURLWithPath: hp.baseModel))
    return try TablePreprocessing.from(metadata: file.metadata, path: hp.baseModel)
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
