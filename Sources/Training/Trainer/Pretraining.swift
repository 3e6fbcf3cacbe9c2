/// The recipe that makes the built-in base model, so that anyone can rebuild it from a seed.
public enum Pretraining {
  /// Settings for pretraining on the clean half of the digits; `--set` may override any of them.
  public static var defaultSettings: HyperParameters {
    var settings = HyperParameters()
    settings.task = "clean-digits"
    settings.baseModel = "none"
    settings.hiddenSizes = [128, 64]
    settings.seed = 1998
    settings.learningRate = 2e-3
    settings.batchSize = 32
    settings.epochs = 40
    settings.dropout = 0.1
    settings.weightDecay = 0.01
    settings.schedule = .cosine
    settings.warmupEpochs = 1
    settings.earlyStoppingPatience = 0
    return settings
  }

  /// A run over the pretraining half (clean digits, disjoint from every fine-tuning split).
  public static func prepare(_ settings: HyperParameters) throws -> PreparedRun {
    try settings.validate()
    let splits = try DigitsTask.pretrainingSplits(seed: settings.seed)
    let model = MLP(
      inputSize: splits.train.featureCount, hiddenSizes: settings.hiddenSizes, classes: splits.train.classes,
      dropout: Float(settings.dropout), seed: UInt64(settings.seed))
    var resolved = settings
    resolved.trainSamples = splits.train.count
    return PreparedRun(
      hyperParameters: resolved, train: splits.train, validation: splits.validation,
      test: splits.validation, model: model, baseDescription: "none")
  }
}
