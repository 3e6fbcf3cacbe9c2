import Foundation

/// Builds the model a run's settings ask for, with its base weights loaded: the one place that
/// knows which kinds of model exist. Everything that receives the model sees `FineTunableModel`.
public enum ModelFactory {
  /// A model ready to fine-tune and where its starting weights came from (`builtin (…)`, a path,
  /// or `none`) for logs.
  public struct Built {
    public var model: any FineTunableModel
    public var baseDescription: String
  }

  /// The model for `hyperParameters` (whose model-shape settings are resolved in place, e.g.
  /// `hidden_sizes` from a loaded base), sized for the classes of the splits.
  public static func make(
    _ hyperParameters: inout HyperParameters, train: any LabeledSamples, validation: any LabeledSamples,
    test: any LabeledSamples
  ) throws -> Built {
    try MLPFactory.make(&hyperParameters, train: train, validation: validation, test: test)
  }

  /// The family of model a run trains, from `base_model`, checked against the kind of task: a text
  /// task needs a BERT-family encoder and an encoder needs a text task. Throws naming `base_model`.
  public static func family(for hyperParameters: HyperParameters) throws -> ModelFamily {
    let family = ModelFamily(baseModel: hyperParameters.baseModel)
    let text = TextTask.isText(hyperParameters.task)
    switch (family, text) {
    case (.mlp, true):
      throw ConfigError(
        key: ConfigKey.baseModel.name,
        message:
          "task \(hyperParameters.task) is a text task, which needs a BERT-family encoder; set base_model to minilm or the path of a Hugging Face model folder (got \(hyperParameters.baseModel), an MLP)"
      )
    case (.bert, false):
      throw ConfigError(
        key: ConfigKey.baseModel.name,
        message:
          "base_model \(hyperParameters.baseModel) is a BERT text encoder, but task \(hyperParameters.task) is not a text task; use wordnet-nouns or a CSV/JSONL file with a text column, or base_model builtin or none for a numeric table"
      )
    default:
      return family
    }
  }

  /// The BERT classifier of a text run, from its resolved base, sized for the task's classes.
  static func make(_ hyperParameters: HyperParameters, text task: TextTask, base: BertBase) throws -> Built {
    try BertFactory.make(hyperParameters, base: base, task: task)
  }
}

/// Builds an MLP from `base_model` (`builtin`, `none`, or a safetensors file laid out as
/// `hidden1.weight` … `head.weight`) for a task of feature rows.
enum MLPFactory {
  private struct Base {
    var file: SafeTensorsFile
    var path: String
    var architecture: MLPArchitecture
  }

  static func make(
    _ hyperParameters: inout HyperParameters, train: any LabeledSamples, validation: any LabeledSamples,
    test: any LabeledSamples
  ) throws -> ModelFactory.Built {
    guard let rows = train as? Dataset else {
      throw ConfigError(
        key: "task",
        message:
          "base_model \(hyperParameters.baseModel) is an MLP, which reads numeric feature rows; this task gives \(type(of: train))"
      )
    }
    let base = try loadBase(hyperParameters)
    let architecture: MLPArchitecture
    if let base {
      architecture = base.architecture
      hyperParameters.hiddenSizes = base.architecture.hiddenSizes
    } else {
      architecture = MLPArchitecture(
        inputSize: rows.featureCount, hiddenSizes: hyperParameters.hiddenSizes, classes: rows.classes)
    }
    let dataClasses = max(train.classes, validation.classes, test.classes)
    guard architecture.inputSize == rows.featureCount else {
      throw ConfigError(
        key: "base_model",
        message:
          "the data has \(rows.featureCount) feature columns but the base model \(hyperParameters.baseModel) takes \(architecture.inputSize) inputs"
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
      try model.load(base.file, path: base.path, skipping: hyperParameters.resetHead ? ["head"] : [])
    }
    return ModelFactory.Built(model: model, baseDescription: base?.path ?? "none")
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
