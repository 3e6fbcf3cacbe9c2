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

  public static func prepare(_ settings: HyperParameters) throws -> PreparedRun {
    var hyperParameters = settings
    try hyperParameters.validate()
    let splits = try loadData(hyperParameters)
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
    return PreparedRun(
      hyperParameters: hyperParameters, train: splits.train, validation: splits.validation,
      test: splits.test, model: built.model, baseDescription: built.baseDescription)
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
