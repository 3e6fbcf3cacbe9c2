import Foundation

/// A text classification task: texts and their class indices, read from CSV or JSON Lines.
///
/// CSV (RFC 4180, read with CSV.swift) has a header row with a `text` and a `label` column (any
/// case, any order, other columns ignored); JSON Lines has one object per line with a string `text`
/// and a `label` that is a class name or a non-negative integer. Labels map to classes by
/// `ClassLabels.infer`: all integers keep their value, names are indexed in sorted order.
public struct TextDataset: Equatable, Sendable {
  public let texts: [String]
  /// Class index of each text.
  public let labels: [Int]
  public let classes: ClassLabels

  public init(texts: [String], labels: [Int], classes: ClassLabels) {
    precondition(texts.count == labels.count, "one label per text")
    self.texts = texts
    self.labels = labels
    self.classes = classes
  }

  public var count: Int { texts.count }

  /// Reads `PATH.csv` or `PATH.jsonl`.
  public static func load(path: String) throws(TextDatasetError) -> TextDataset {
    let kind = URL(fileURLWithPath: path).pathExtension.lowercased()
    guard kind == "csv" || kind == "jsonl" else {
      throw TextDatasetError(source: path, line: nil, problem: .unsupportedExtension(kind))
    }
    let data: Data
    do {
      data = try FileReader.contents(of: path)
    } catch {
      throw TextDatasetError(source: path, line: nil, problem: .unreadable(reason: error.reason))
    }
    let text = try decode(data, source: path)
    return kind == "csv" ? try parseCSV(text, source: path) : try parseJSONLines(text, source: path)
  }

  /// A built-in task from the package resources.
  public static func builtIn(_ task: BuiltInTextTask) throws(TextDatasetError) -> TextDataset {
    guard
      let url = Bundle.module.url(forResource: task.rawValue, withExtension: "csv", subdirectory: "Resources")
    else {
      throw TextDatasetError(
        source: "\(task.rawValue).csv", line: nil,
        problem: .unreadable(reason: "not in the package resources; rebuild tunetop"))
    }
    return try load(path: url.path)
  }

  /// UTF-8 text without a byte-order mark; an invalid byte is reported on its line.
  static func decode(_ data: Data, source: String) throws(TextDatasetError) -> String {
    if let text = String(validating: data, as: UTF8.self) {
      return text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
    }
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      if String(validating: line, as: UTF8.self) == nil { break }
    }
    throw TextDatasetError(source: source, line: lineNumber, problem: .notUTF8)
  }

  /// Parses CSV text; `source` names it in errors.
  public static func parseCSV(_ text: String, source: String) throws(TextDatasetError) -> TextDataset {
    func fail(_ line: Int?, _ problem: TextDatasetError.Problem) -> TextDatasetError {
      TextDatasetError(source: source, line: line, problem: problem)
    }
    guard var records = try TextCSVReader(text, source: source) else { throw fail(1, .noRows) }
    let textColumn = try records.requiredColumn("text")
    let labelColumn = try records.requiredColumn("label")
    var texts: [String] = []
    var rawLabels: [String] = []
    while let record = try records.next() {
      let text = record.fields[textColumn]
      guard !text.allSatisfy(\.isWhitespace) else { throw fail(record.line, .emptyText) }
      let label = record.fields[labelColumn].trimmingCharacters(in: .whitespaces)
      guard !label.isEmpty else { throw fail(record.line, .emptyLabel) }
      texts.append(text)
      rawLabels.append(label)
    }
    guard !texts.isEmpty else { throw fail(nil, .noRows) }
    return dataset(texts, rawLabels)
  }

  /// Parses JSON Lines text; `source` names it in errors.
  public static func parseJSONLines(_ text: String, source: String) throws(TextDatasetError) -> TextDataset {
    var texts: [String] = []
    var rawLabels: [String] = []
    var lineNumber = 0
    for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      func fail(_ problem: TextDatasetError.Problem) -> TextDatasetError {
        TextDatasetError(source: source, line: lineNumber, problem: problem)
      }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      let object: [String: Any]
      do {
        guard let parsed = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
          throw fail(.invalidJSON(reason: "the line is not an object"))
        }
        object = parsed
      } catch let error as TextDatasetError {
        throw error
      } catch {
        throw fail(.invalidJSON(reason: (error as NSError).localizedDescription))
      }
      guard let value = object["text"] else { throw fail(.missingField("text")) }
      guard let text = value as? String else { throw fail(.invalidJSON(reason: "\"text\" is not a string")) }
      guard !text.allSatisfy(\.isWhitespace) else { throw fail(.emptyText) }
      guard let label = object["label"], !(label is NSNull) else { throw fail(.missingField("label")) }
      texts.append(text)
      rawLabels.append(try labelText(label, fail))
    }
    guard !texts.isEmpty else { throw TextDatasetError(source: source, line: nil, problem: .noRows) }
    return dataset(texts, rawLabels)
  }

  private static func labelText(
    _ value: Any, _ fail: (TextDatasetError.Problem) -> TextDatasetError
  ) throws(TextDatasetError) -> String {
    if let name = value as? String {
      let trimmed = name.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty else { throw fail(.emptyLabel) }
      return trimmed
    }
    if let number = value as? NSNumber, !BertTokenizerConfiguration.isBoolean(number) {
      let double = number.doubleValue
      if double >= 0, double == double.rounded(), double < 1e9 { return String(Int(double)) }
    }
    throw fail(.invalidLabel(BertTokenizerConfiguration.render(value)))
  }

  private static func dataset(_ texts: [String], _ rawLabels: [String]) -> TextDataset {
    let classes = ClassLabels.infer(from: rawLabels)
    return TextDataset(texts: texts, labels: rawLabels.map { classes.index(of: $0)! }, classes: classes)
  }

  /// Every text tokenized into one flat buffer.
  public func tokenized(with tokenizer: BertTokenizer, maxLength: Int) -> TokenizedTexts {
    var ids: [Int32] = []
    ids.reserveCapacity(texts.count * min(maxLength, 32))
    var offsets = [0]
    offsets.reserveCapacity(texts.count + 1)
    for text in texts {
      tokenizer.encode(text, maxLength: maxLength, appendingTo: &ids)
      offsets.append(ids.count)
    }
    return TokenizedTexts(ids: ids, offsets: offsets, labels: labels, classes: classes, maxLength: maxLength)
  }
}

/// The built-in text tasks shipped as package resources.
public enum BuiltInTextTask: String, CaseIterable, Sendable {
  /// WordNet 3.0 noun definitions labelled with their lexicographer file: animal, artifact, body, food,
  /// location, person, plant, substance (500 each).
  case wordNetNouns = "wordnet-nouns"
}

/// Tokenized texts in one flat buffer: sequence `i` is `ids[offsets[i]..<offsets[i + 1]]`, each with
/// [CLS] and [SEP] and at most `maxLength` ids.
public struct TokenizedTexts: Equatable, Sendable {
  public let ids: [Int32]
  /// `count + 1` offsets into `ids`, starting at 0.
  public let offsets: [Int]
  public let labels: [Int]
  public let classes: ClassLabels
  public let maxLength: Int

  public var count: Int { labels.count }

  /// The ids of sequence `index`.
  public func sequence(_ index: Int) -> ArraySlice<Int32> {
    ids[offsets[index]..<offsets[index + 1]]
  }

  /// The length of sequence `index`, [CLS] and [SEP] included.
  public func length(_ index: Int) -> Int { offsets[index + 1] - offsets[index] }
}
