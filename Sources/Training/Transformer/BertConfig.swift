import Foundation

/// The architecture of a BERT-family encoder, read from a Hugging Face `config.json`.
public struct BertConfig: Equatable, Sendable {
  public var vocabularySize: Int
  public var hiddenSize: Int
  public var layers: Int
  public var heads: Int
  public var intermediateSize: Int
  public var maxPositions: Int
  public var typeVocabularySize: Int
  public var layerNormEpsilon: Float
  public var hiddenDropout: Float
  public var attentionDropout: Float
  /// `id2label` in index order when the file has one (a fine-tuned classifier), else nil.
  public var labels: [String]?

  public init(
    vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
    maxPositions: Int = 512, typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12,
    hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1, labels: [String]? = nil
  ) {
    precondition(vocabularySize > 0 && hiddenSize > 0 && layers > 0 && heads > 0 && intermediateSize > 0)
    precondition(hiddenSize % heads == 0, "hidden size \(hiddenSize) is not a multiple of \(heads) heads")
    self.vocabularySize = vocabularySize
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.heads = heads
    self.intermediateSize = intermediateSize
    self.maxPositions = maxPositions
    self.typeVocabularySize = typeVocabularySize
    self.layerNormEpsilon = layerNormEpsilon
    self.hiddenDropout = hiddenDropout
    self.attentionDropout = attentionDropout
    self.labels = labels
  }

  /// Width of one attention head.
  public var headSize: Int { hiddenSize / heads }

  /// Reads and checks `config.json`.
  public init(contentsOf url: URL) throws(ModelFolderError) {
    let data: Data
    do {
      data = try FileReader.contents(of: url.path)
    } catch {
      throw ModelFolderError(path: url.path, message: "cannot read the file: \(error.reason)")
    }
    try self.init(json: [UInt8](data), path: url.path)
  }

  /// Parses config.json bytes; `path` names them in errors.
  public init(json bytes: [UInt8], path: String) throws(ModelFolderError) {
    let fields = try ConfigFields(bytes: bytes, path: path)
    guard let modelType = try fields.string("model_type") else {
      throw fields.fail("\"model_type\" is missing; tunetop loads \"bert\" models")
    }
    guard modelType == "bert" else {
      throw fields.fail(
        "\"model_type\" is \"\(modelType)\"; tunetop loads only \"bert\" (BERT-family encoders)")
    }
    let activation = try fields.string("hidden_act") ?? "gelu"
    guard activation == "gelu" else {
      throw fields.fail("\"hidden_act\" is \"\(activation)\"; tunetop supports \"gelu\" (exact erf GELU)")
    }
    let positionType = try fields.string("position_embedding_type") ?? "absolute"
    guard positionType == "absolute" else {
      throw fields.fail("\"position_embedding_type\" is \"\(positionType)\"; tunetop supports \"absolute\"")
    }
    vocabularySize = try fields.positive("vocab_size")
    hiddenSize = try fields.positive("hidden_size")
    layers = try fields.positive("num_hidden_layers")
    heads = try fields.positive("num_attention_heads")
    guard hiddenSize % heads == 0 else {
      throw fields.fail(
        "\"hidden_size\" \(hiddenSize) is not a multiple of \"num_attention_heads\" \(heads); "
          + "expected hidden_size divisible by the head count")
    }
    intermediateSize = try fields.positive("intermediate_size")
    maxPositions = try fields.positive("max_position_embeddings")
    typeVocabularySize = try fields.positive("type_vocab_size", default: 2)
    layerNormEpsilon = Float(
      try fields.number("layer_norm_eps", default: 1e-12, valid: "a positive number such as 1e-12") { $0 > 0 }
    )
    let probability = "a probability in [0, 1)"
    hiddenDropout = Float(
      try fields.number("hidden_dropout_prob", default: 0.1, valid: probability) { $0 >= 0 && $0 < 1 })
    attentionDropout = Float(
      try fields.number("attention_probs_dropout_prob", default: 0.1, valid: probability) {
        $0 >= 0 && $0 < 1
      })
    labels = try fields.labels("id2label")
  }
}

/// The members of a config.json object, read with checks that name the key, the value found and
/// what is valid.
private struct ConfigFields {
  let path: String
  let fields: [String: HeaderJSON]

  init(bytes: [UInt8], path: String) throws(ModelFolderError) {
    self.path = path
    let root: HeaderJSON
    do {
      root = try HeaderJSON.parse(bytes)
    } catch {
      throw ModelFolderError(
        path: path,
        message: "not valid JSON (\(error.message) at byte \(error.offset)); expected a JSON object")
    }
    guard case .object(let members) = root else {
      throw ModelFolderError(path: path, message: "is \(root.kind); expected a JSON object")
    }
    var fields: [String: HeaderJSON] = [:]
    for member in members { fields[member.key] = member.value }
    self.fields = fields
  }

  func fail(_ message: String) -> ModelFolderError { ModelFolderError(path: path, message: message) }

  func string(_ key: String) throws(ModelFolderError) -> String? {
    guard let value = fields[key] else { return nil }
    guard case .string(let text) = value else { throw fail("\"\(key)\" is \(value.kind); expected a string") }
    return text
  }

  func positive(_ key: String, default fallback: Int? = nil) throws(ModelFolderError) -> Int {
    guard let value = fields[key] else {
      if let fallback { return fallback }
      throw fail("\"\(key)\" is missing; a BERT config needs it (a positive integer)")
    }
    guard case .integer(let number) = value, number > 0 else {
      throw fail("\"\(key)\" is \(ConfigFields.text(value)); expected a positive integer")
    }
    return number
  }

  func number(_ key: String, default fallback: Double, valid: String, _ isValid: (Double) -> Bool)
    throws(ModelFolderError) -> Double
  {
    guard let value = fields[key] else { return fallback }
    let number: Double
    switch value {
    case .integer(let integer): number = Double(integer)
    case .number(let double): number = double
    default: throw fail("\"\(key)\" is \(ConfigFields.text(value)); expected \(valid)")
    }
    guard isValid(number) else { throw fail("\"\(key)\" is \(ConfigFields.text(value)); expected \(valid)") }
    return number
  }

  /// `id2label` as names in index order; its keys must be exactly "0"…"n-1".
  func labels(_ key: String) throws(ModelFolderError) -> [String]? {
    guard let value = fields[key] else { return nil }
    guard case .object(let pairs) = value else {
      throw fail("\"id2label\" is \(value.kind); expected an object such as {\"0\": \"NEGATIVE\"}")
    }
    var names = [String?](repeating: nil, count: pairs.count)
    for (key, entry) in pairs {
      guard let index = Int(key), index >= 0, index < pairs.count else {
        throw fail("\"id2label\" has key \"\(key)\"; expected the indices 0…\(pairs.count - 1)")
      }
      guard case .string(let name) = entry else {
        throw fail("\"id2label\" value of \"\(key)\" is \(entry.kind); expected a label name string")
      }
      guard names[index] == nil else { throw fail("\"id2label\" has index \(index) twice") }
      names[index] = name
    }
    return names.map { $0! }
  }

  static func text(_ value: HeaderJSON) -> String {
    switch value {
    case .integer(let integer): return String(integer)
    case .number(let number): return String(number)
    case .string(let string): return "\"\(string)\""
    case .bool(let bool): return String(bool)
    default: return value.kind
    }
  }
}
