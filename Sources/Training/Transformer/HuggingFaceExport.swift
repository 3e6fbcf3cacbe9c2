import Foundation

/// Why a model folder could not be exported.
public struct ModelExportError: Error, CustomStringConvertible, Equatable, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Writes a fine-tuned `BertClassifier` as a Hugging Face model folder: `config.json` (the
/// encoder's BertConfig fields, `BertForSequenceClassification`, `id2label`/`label2id`),
/// `model.safetensors` under Hugging Face's names (`bert.…`, `classifier.…`; LoRA adapters merged
/// into the weights first) and the base folder's tokenizer files.
///
/// With `cls` pooling the folder is exactly a `BertForSequenceClassification`. With `mean` pooling
/// it is also a sentence-transformers folder (`modules.json`, `1_Pooling/config.json` with mean
/// pooling, `sentence_bert_config.json`): `SentenceTransformer(dir)` gives the pooled vectors, and
/// the head is beside them as `classifier.weight`/`classifier.bias` (logits = pooled·Wᵀ + b).
///
/// The folder is written into a temporary sibling and renamed into place, so `out` is either the
/// whole export or untouched.
public struct HuggingFaceExport {
  public let model: BertClassifier
  public let classNames: [String]
  /// The folder the model was fine-tuned from: its tokenizer files are copied, its config.json's
  /// other fields (`pad_token_id`, …) kept, and with `mean` pooling its pooler weights kept so the
  /// folder loads without missing tensors.
  public let baseFolder: URL
  /// The run's `max_seq_len`, written as sentence-transformers' `max_seq_length`.
  public let maxSequenceLength: Int

  /// Tokenizer files copied when the base folder has them (`vocab.txt` is required).
  static let tokenizerFiles = ["tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"]

  public init(model: BertClassifier, classNames: [String], baseFolder: URL, maxSequenceLength: Int) {
    precondition(
      classNames.count == model.classes, "\(classNames.count) class names for \(model.classes) classes")
    self.model = model
    self.classNames = classNames
    self.baseFolder = baseFolder
    self.maxSequenceLength = maxSequenceLength
  }

  /// Writes the folder to `out`. An existing non-empty `out` is refused unless `force`, and then
  /// replaced whole.
  public func write(to out: URL, force: Bool) throws {
    let manager = FileManager.default
    let target = out.standardizedFileURL
    var isDirectory: ObjCBool = false
    let exists = manager.fileExists(atPath: target.path, isDirectory: &isDirectory)
    if exists {
      guard isDirectory.boolValue else {
        throw ModelExportError("\(target.path) is a file; expected a folder to write the model into")
      }
      let contents = (try? manager.contentsOfDirectory(atPath: target.path)) ?? []
      if !contents.isEmpty && !force {
        throw ModelExportError(
          "\(target.path) is not empty; choose another --out or pass --force to replace it")
      }
    }
    let vocabulary = baseFolder.appendingPathComponent("vocab.txt")
    guard manager.fileExists(atPath: vocabulary.path) else {
      throw ModelExportError("\(baseFolder.path) has no vocab.txt; the exported folder needs the tokenizer")
    }
    let parent = target.deletingLastPathComponent()
    let suffix =
      "\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).export-\(suffix)")
    do {
      try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
    } catch {
      throw ModelExportError("cannot create \(temporary.path): \(error.localizedDescription)")
    }
    do {
      try writeContents(into: temporary, vocabulary: vocabulary)
      if exists {
        // Move the old folder aside first: rename(2) cannot replace a non-empty directory.
        let aside = parent.appendingPathComponent(".\(target.lastPathComponent).replaced-\(suffix)")
        try manager.moveItem(at: target, to: aside)
        do {
          try manager.moveItem(at: temporary, to: target)
        } catch {
          try? manager.moveItem(at: aside, to: target)
          throw error
        }
        try? manager.removeItem(at: aside)
      } else {
        try manager.moveItem(at: temporary, to: target)
      }
    } catch {
      try? manager.removeItem(at: temporary)
      if let error = error as? ModelExportError { throw error }
      throw ModelExportError("cannot write \(target.path): \(error.localizedDescription)")
    }
  }

  private func writeContents(into folder: URL, vocabulary: URL) throws {
    try SafeTensors.write(
      tensors(), metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
    try writeJSON(configJSON(), to: folder.appendingPathComponent("config.json"))
    try FileManager.default.copyItem(at: vocabulary, to: folder.appendingPathComponent("vocab.txt"))
    for name in Self.tokenizerFiles {
      let source = baseFolder.appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: source.path) {
        try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name))
      } else if name == "tokenizer_config.json" {
        // Hugging Face's defaults for a BERT vocabulary, which is also what tunetop assumed.
        try writeJSON(
          [
            "tokenizer_class": "BertTokenizer", "do_lower_case": true,
            "model_max_length": model.config.maxPositions,
          ],
          to: folder.appendingPathComponent(name))
      }
    }
    if model.pooling == .mean { try writeSentenceTransformersFiles(into: folder) }
  }

  /// The model's tensors under `BertForSequenceClassification`'s names, adapters merged.
  func tensors() throws -> [NamedTensor] {
    var tensors = model.mergedTensors().map { tensor in
      tensor.name.hasPrefix("classifier.")
        ? tensor : NamedTensor(name: "bert." + tensor.name, shape: tensor.shape, values: tensor.values)
    }
    if model.pooling == .mean, let pooler = try basePooler() { tensors += pooler }
    return tensors
  }

  /// The base folder's pooler, which mean pooling never uses but `BertModel` expects.
  private func basePooler() throws -> [NamedTensor]? {
    let url = baseFolder.appendingPathComponent("model.safetensors")
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let file = try SafeTensors.read(from: url, skipping: BertModelFolder.ignoredTensors)
    var found: [NamedTensor] = []
    for name in ["pooler.dense.weight", "pooler.dense.bias"] {
      guard let tensor = file[name] ?? file["bert." + name] else { return nil }
      found.append(NamedTensor(name: "bert." + name, shape: tensor.shape, values: tensor.values))
    }
    return found
  }

  func configJSON() -> [String: Any] {
    var json: [String: Any] = [:]
    let baseConfig = baseFolder.appendingPathComponent("config.json")
    if let data = try? Data(contentsOf: baseConfig),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    {
      json = object
    }
    let config = model.config
    // Float fields go through their shortest decimal text, so 1e-12 is written as 1e-12.
    func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
    json["architectures"] = ["BertForSequenceClassification"]
    json["model_type"] = "bert"
    json["vocab_size"] = config.vocabularySize
    json["hidden_size"] = config.hiddenSize
    json["num_hidden_layers"] = config.layers
    json["num_attention_heads"] = config.heads
    json["intermediate_size"] = config.intermediateSize
    json["max_position_embeddings"] = config.maxPositions
    json["type_vocab_size"] = config.typeVocabularySize
    json["layer_norm_eps"] = decimal(config.layerNormEpsilon)
    json["hidden_act"] = "gelu"
    json["position_embedding_type"] = "absolute"
    json["hidden_dropout_prob"] = decimal(config.hiddenDropout)
    json["attention_probs_dropout_prob"] = decimal(config.attentionDropout)
    json["id2label"] = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { (String($0), $1) })
    json["label2id"] = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
    json["problem_type"] = "single_label_classification"
    json["tunetop_pooling"] = model.pooling.rawValue
    json.removeValue(forKey: "_name_or_path")
    return json
  }

  private func writeSentenceTransformersFiles(into folder: URL) throws {
    let modules: [[String: Any]] = [
      ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
      ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
    ]
    try writeJSON(modules, to: folder.appendingPathComponent("modules.json"))
    try writeJSON(
      ["max_seq_length": maxSequenceLength, "do_lower_case": false],
      to: folder.appendingPathComponent("sentence_bert_config.json"))
    let pooling = folder.appendingPathComponent("1_Pooling")
    try FileManager.default.createDirectory(at: pooling, withIntermediateDirectories: false)
    try writeJSON(
      [
        "word_embedding_dimension": model.config.hiddenSize, "pooling_mode_cls_token": false,
        "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
        "pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": false,
        "pooling_mode_lasttoken": false, "include_prompt": true,
      ], to: pooling.appendingPathComponent("config.json"))
  }

  private func writeJSON(_ object: Any, to url: URL) throws {
    let data = try JSONSerialization.data(
      withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    try AtomicFile.write(data + Data("\n".utf8), to: url, durable: false)
  }
}
