import Foundation

/// The settings of a BERT tokenizer folder's `tokenizer_config.json`, with Hugging Face's defaults for
/// keys (or a whole file) that are absent.
public struct BertTokenizerConfiguration: Equatable, Sendable {
  /// Lower-case the text (after accent stripping).
  public var lowercase = true
  /// Strip accents (canonical decomposition, then drop non-spacing marks); nil follows `lowercase`.
  public var stripAccents: Bool? = nil
  /// Put every CJK ideograph in a word of its own.
  public var tokenizeChineseCharacters = true
  /// The longest input the model takes, when the file says.
  public var modelMaxLength: Int? = nil
  public var unknownToken = "[UNK]"
  public var separatorToken = "[SEP]"
  public var paddingToken = "[PAD]"
  public var classifierToken = "[CLS]"
  public var maskToken = "[MASK]"

  public init() {}

  /// Whether accents are stripped once `stripAccents`' default is resolved.
  public var stripsAccents: Bool { stripAccents ?? lowercase }

  /// Reads `tokenizer_config.json`; a missing file gives the defaults.
  public init(contentsOf url: URL) throws(TokenizerError) {
    let data: Data
    do {
      data = try FileReader.contents(of: url.path)
    } catch {
      if error.code == ENOENT {
        self.init()
        return
      }
      throw TokenizerError(path: url.path, problem: .unreadable(reason: error.reason))
    }
    try self.init(json: data, source: url.path)
  }

  /// Parses the JSON text of `tokenizer_config.json`; `source` names it in errors.
  public init(json data: Data, source: String) throws(TokenizerError) {
    let object: [String: Any]
    do {
      guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw TokenizerError(path: source, problem: .invalidJSON(reason: "the top level is not an object"))
      }
      object = parsed
    } catch let error as TokenizerError {
      throw error
    } catch {
      throw TokenizerError(
        path: source, problem: .invalidJSON(reason: (error as NSError).localizedDescription))
    }
    func invalid(_ key: String, _ expected: String) -> TokenizerError {
      TokenizerError(
        path: source, problem: .invalidValue(key: key, value: Self.render(object[key]), expected: expected))
    }
    func bool(_ key: String) throws(TokenizerError) -> Bool? {
      guard let value = object[key], !(value is NSNull) else { return nil }
      guard let number = value as? NSNumber, Self.isBoolean(number) else {
        throw invalid(key, "true or false")
      }
      return number.boolValue
    }
    func token(_ key: String) throws(TokenizerError) -> String? {
      guard let value = object[key], !(value is NSNull) else { return nil }
      // Newer files save special tokens as AddedToken objects with their text in "content".
      if let text = value as? String ?? (value as? [String: Any])?["content"] as? String, !text.isEmpty {
        return text
      }
      throw invalid(key, "a non-empty string")
    }
    if let value = try bool("do_lower_case") { lowercase = value }
    stripAccents = try bool("strip_accents")
    if let value = try bool("tokenize_chinese_chars") { tokenizeChineseCharacters = value }
    if let value = object["model_max_length"], !(value is NSNull) {
      guard let number = value as? NSNumber, !Self.isBoolean(number),
        number.doubleValue >= 1, number.doubleValue == number.doubleValue.rounded()
      else { throw invalid("model_max_length", "a positive integer") }
      // Hugging Face writes 1e30 to mean "no limit".
      modelMaxLength = number.doubleValue < 1e15 ? number.intValue : nil
    }
    if let value = try token("unk_token") { unknownToken = value }
    if let value = try token("sep_token") { separatorToken = value }
    if let value = try token("pad_token") { paddingToken = value }
    if let value = try token("cls_token") { classifierToken = value }
    if let value = try token("mask_token") { maskToken = value }
  }

  /// JSONSerialization gives booleans as NSNumbers whose Objective-C type is `char`.
  static func isBoolean(_ number: NSNumber) -> Bool {
    number.objCType.pointee == CChar(UInt8(ascii: "c"))
  }

  static func render(_ value: Any?) -> String {
    guard let value else { return "missing" }
    if let text = value as? String { return "\"\(text)\"" }
    if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]),
      let text = String(data: data, encoding: .utf8)
    {
      return text
    }
    return String(describing: value)
  }
}
