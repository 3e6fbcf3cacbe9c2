import Foundation

/// Which family of model `base_model` names, decided from the name alone (and, for a file, from
/// its safetensors metadata): what chooses between the MLP and the BERT encoder.
public enum ModelFamily: String, Sendable {
  /// `builtin`, `none`, or a tunetop MLP checkpoint.
  case mlp
  /// `minilm` (a known model), a Hugging Face folder, or a tunetop-bert checkpoint (a fork's base).
  case bert

  public init(baseModel: String) {
    if KnownModel.named(baseModel) != nil {
      self = .bert
      return
    }
    let path = (baseModel as NSString).expandingTildeInPath
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      if isDirectory.boolValue {
        self = .bert
        return
      }
      if let metadata = SafeTensorsHeader.metadata(path: path),
        metadata["format"] == ModelCheckpointFormat.format(ofKind: "bert")
      {
        self = .bert
        return
      }
    }
    self = .mlp
  }
}

/// The metadata a BERT run's checkpoints carry so that they alone rebuild the model and its
/// inputs: config.json as it was read, the folder of the tokenizer, pooling, `max_seq_len` and the
/// class names (JSON array; `classes` is also written comma-separated, as table runs do).
public struct BertCheckpointInfo: Equatable, Sendable {
  public static let configKey = "bert_config"
  public static let tokenizerKey = "tokenizer"
  public static let poolingKey = "pooling"
  public static let maxSeqLenKey = "max_seq_len"
  public static let classNamesKey = "class_names"

  /// The text of the Hugging Face config.json the encoder was shaped from.
  public var configJSON: String
  /// The folder holding vocab.txt (and tokenizer_config.json) the texts were tokenized with.
  public var tokenizerFolder: URL
  public var pooling: BertPooling
  public var maxSeqLen: Int
  public var classes: ClassLabels
  /// A LoRA run's settings and base folder; nil for full fine-tuning.
  public var lora: LoRACheckpointBase?

  public var metadata: [String: String] {
    let names = (try? JSONEncoder().encode(classes.names)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    return [
      Self.configKey: configJSON, Self.tokenizerKey: tokenizerFolder.path, Self.poolingKey: pooling.rawValue,
      Self.maxSeqLenKey: String(maxSeqLen), Self.classNamesKey: names,
      "classes": classes.names.joined(separator: ","),
    ].merging(lora?.metadata ?? [:]) { kept, _ in kept }
  }

  public init(
    configJSON: String, tokenizerFolder: URL, pooling: BertPooling, maxSeqLen: Int, classes: ClassLabels
  ) {
    self.configJSON = configJSON
    self.tokenizerFolder = tokenizerFolder
    self.pooling = pooling
    self.maxSeqLen = maxSeqLen
    self.classes = classes
    lora = nil
  }

  /// Reads it back; nil when the metadata has no BERT config (not a BERT run's checkpoint).
  public init?(metadata: [String: String], path: String) throws {
    guard let config = metadata[Self.configKey] else { return nil }
    func fail(_ what: String) -> CheckpointMismatchError {
      CheckpointMismatchError(path: path, message: "metadata \(what) is missing or unreadable")
    }
    guard let folder = metadata[Self.tokenizerKey] else { throw fail(Self.tokenizerKey) }
    guard let pooling = metadata[Self.poolingKey].flatMap(BertPooling.init(rawValue:)) else {
      throw fail(Self.poolingKey)
    }
    guard let length = metadata[Self.maxSeqLenKey].flatMap({ Int($0) }) else { throw fail(Self.maxSeqLenKey) }
    guard let namesText = metadata[Self.classNamesKey],
      let names = try? JSONDecoder().decode([String].self, from: Data(namesText.utf8))
    else { throw fail(Self.classNamesKey) }
    self.init(
      configJSON: config, tokenizerFolder: URL(fileURLWithPath: folder, isDirectory: true), pooling: pooling,
      maxSeqLen: length, classes: ClassLabels(names: names))
    lora = try LoRACheckpointBase(metadata: metadata, path: path)
  }
}

/// Where a BERT run's encoder starts: a Hugging Face folder (`minilm` or a path; a new head), or a
/// tunetop-bert checkpoint (a fork's base; its head kept unless `reset_head`), with the config and
/// the tokenizer that go with it.
struct BertBase {
  enum Weights {
    case folder(BertModelFolder)
    case checkpoint(SafeTensorsFile, info: BertCheckpointInfo)
  }

  var config: BertConfig
  var configJSON: String
  var tokenizerFolder: URL
  var tokenizer: BertTokenizer
  var weights: Weights
  /// For logs: the folder or checkpoint path.
  var description: String

  /// Resolves `base_model`; every failure names the key or the file.
  static func open(_ baseModel: String) throws -> BertBase {
    let expanded = (baseModel as NSString).expandingTildeInPath
    var isDirectory: ObjCBool = false
    if KnownModel.named(baseModel) == nil,
      FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), !isDirectory.boolValue
    {
      return try openCheckpoint(URL(fileURLWithPath: expanded))
    }
    let directory: URL
    do {
      directory = try ModelStore().resolve(baseModel)
    } catch {
      throw ConfigError(key: "base_model", message: "\(error)")
    }
    guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab.txt").path) else {
      throw ConfigError(
        key: "base_model",
        message:
          "\(directory.path) has no vocab.txt; a text model folder needs config.json, model.safetensors and vocab.txt (the tokenizer's vocabulary)"
      )
    }
    let folder = try BertModelFolder(directory: directory)
    let configJSON = String(decoding: try FileReader.contents(of: folder.configURL.path), as: UTF8.self)
    return BertBase(
      config: folder.config, configJSON: configJSON, tokenizerFolder: directory,
      tokenizer: try BertTokenizer(folder: directory), weights: .folder(folder), description: directory.path)
  }

  private static func openCheckpoint(_ url: URL) throws -> BertBase {
    let file = try SafeTensors.read(from: url)
    try ModelCheckpointFormat.check(file, path: url.path, kind: "bert")
    guard let info = try BertCheckpointInfo(metadata: file.metadata, path: url.path) else {
      throw ConfigError(
        key: "base_model",
        message:
          "\(url.path) is not a tunetop BERT checkpoint (it has no bert_config metadata); for a text task use minilm or a Hugging Face model folder"
      )
    }
    let config = try BertConfig(json: Array(info.configJSON.utf8), path: url.path + " (bert_config)")
    let tokenizer: BertTokenizer
    do {
      tokenizer = try BertTokenizer(folder: info.tokenizerFolder)
    } catch {
      throw CheckpointMismatchError(
        path: url.path,
        message: "the tokenizer it was trained with (\(info.tokenizerFolder.path)) cannot be read: \(error)")
    }
    return BertBase(
      config: config, configJSON: info.configJSON, tokenizerFolder: info.tokenizerFolder,
      tokenizer: tokenizer,
      weights: .checkpoint(file, info: info), description: url.path)
  }

  /// Classes of a kept head (a checkpoint base without `reset_head`), which the task's labels must use.
  func keptClasses(resetHead: Bool) -> ClassLabels? {
    guard !resetHead, case .checkpoint(_, let info) = weights else { return nil }
    return info.classes
  }
}

/// Builds the BERT classifier of a text run from its base (see `BertBase`) for its task.
enum BertFactory {
  static func make(_ hp: HyperParameters, base: BertBase, task: TextTask) throws -> ModelFactory.Built {
    guard let pooling = BertPooling(rawValue: hp.pooling) else {
      throw ConfigError(
        key: ConfigKey.pooling.name, message: "pooling must be mean or cls, got \(hp.pooling)")
    }
    let seed = UInt64(hp.seed)
    let model: BertClassifier
    switch base.weights {
    case .folder(let folder):
      model = try BertClassifier(folder: folder, classes: task.classes.count, pooling: pooling, seed: seed)
    case .checkpoint(let file, let info) where info.lora != nil:
      // A LoRA checkpoint holds adapters and head only. With the same rank and targets the fork
      // goes on training them over the same base folder; otherwise the parent is rebuilt, its
      // adapters folded in, and the fork starts from those plain weights.
      if !hp.resetHead && info.pooling != pooling {
        throw ConfigError(
          key: ConfigKey.pooling.name,
          message:
            "the base checkpoint's head was trained with pooling \(info.pooling.rawValue); keep it or set reset_head: true"
        )
      }
      let parent = info.lora!
      if let lora = LoRASettings(hp), parent.continues(lora) {
        model = try BertClassifier(
          folder: try BertModelFolder(directory: parent.folder), classes: task.classes.count,
          pooling: pooling,
          seed: seed)
        model.enableLoRA(lora, seed: seed &+ 0x10BA)
        try model.load(file, path: base.description, skipping: hp.resetHead ? ["head"] : [])
        model.dropout = Float(hp.dropout)
        return ModelFactory.Built(model: model, baseDescription: base.description)
      }
      let rebuilt = try parent.rebuild(
        file, path: base.description, classes: info.classes.count, pooling: info.pooling)
      let merged = try SafeTensors.read(
        data: SafeTensors.encode(rebuilt.mergedTensors()), source: base.description)
      model = BertClassifier(config: base.config, classes: task.classes.count, pooling: pooling, seed: seed)
      try model.load(merged, path: base.description, skipping: hp.resetHead ? ["head"] : [])
    case .checkpoint(let file, let info):
      if !hp.resetHead && info.pooling != pooling {
        throw ConfigError(
          key: ConfigKey.pooling.name,
          message:
            "the base checkpoint's head was trained with pooling \(info.pooling.rawValue); keep it or set reset_head: true"
        )
      }
      model = BertClassifier(config: base.config, classes: task.classes.count, pooling: pooling, seed: seed)
      try model.load(file, path: base.description, skipping: hp.resetHead ? ["head"] : [])
    }
    if let lora = LoRASettings(hp) { model.enableLoRA(lora, seed: seed &+ 0x10BA) }
    model.dropout = Float(hp.dropout)
    return ModelFactory.Built(model: model, baseDescription: base.description)
  }
}
