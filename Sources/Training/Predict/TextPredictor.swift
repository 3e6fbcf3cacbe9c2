import Foundation

/// A text run's model turning raw texts into class probabilities: what `tunetop predict` runs on a
/// BERT run.
public struct TextPredictor {
  public let trained: TrainedModel
  public let text: TextInputs

  /// Throws when `trained` is not a text run.
  public init(_ trained: TrainedModel, checkpointPath: String) throws {
    guard let text = trained.text else {
      throw CheckpointMismatchError(path: checkpointPath, message: "is not a text run's checkpoint")
    }
    self.trained = trained
    self.text = text
  }

  /// Whether the checkpoint at `url` is a text (BERT) run's, read from its safetensors header alone,
  /// so that an MLP run's checkpoint is not read twice. An unreadable header answers false, and the
  /// MLP path then reports it.
  public static func isTextCheckpoint(_ url: URL) -> Bool {
    SafeTensorsHeader.metadata(path: url.path)?["format"] == ModelCheckpointFormat.format(ofKind: "bert")
  }

  /// Softmax probabilities, one row per text, `classes` columns each summing to 1. The texts go
  /// through the forward in evaluation mode `batchSize` (default: the model's evaluation batch) at
  /// a time, shortest first so each batch pads little; the rows come back in the order of `texts`.
  public func probabilities(_ texts: [String], batchSize: Int? = nil) -> Matrix {
    let batchSize = batchSize ?? trained.model.evaluationBatchSize
    precondition(batchSize > 0, "batch size must be positive")
    let samples = text.samples(texts)
    let classes = trained.model.classes
    var out = Matrix(rows: texts.count, cols: classes)
    let order = (0..<texts.count).sorted {
      (samples.texts.length($0), $0) < (samples.texts.length($1), $1)
    }
    var start = 0
    while start < order.count {
      let batch = order[start..<min(start + batchSize, order.count)]
      let logits = trained.model.forward(samples, indices: batch, training: false)
      out.storage.withUnsafeMutableBufferPointer { result in
        for (position, row) in batch.enumerated() {
          let target = result.baseAddress! + row * classes
          for k in 0..<classes { target[k] = logits.storage[position * classes + k] }
          softmaxInPlace(target, count: classes)
        }
      }
      start += batchSize
    }
    return out
  }
}

/// The texts of a file to predict on, in input order, with their lines and ids.
public struct TextPredictionInput: Sendable {
  /// The file as named on the command line.
  public let source: String
  /// One per row; an empty text is kept (as "") so the output keeps every row.
  public let texts: [String]
  /// The line each row starts on.
  public let lines: [Int]
  /// The id column's name and each row's id, when the file has one.
  public let ids: (name: String, values: [String])?
  /// Rows whose text is empty or only white space: they get no prediction.
  public let emptyRows: [Int]

  /// Reads `PATH.csv` (RFC 4180, a header with a `text` column and optionally an `id` column, any
  /// case, other columns ignored) or `PATH.jsonl` (one object per line with a string `text` and
  /// optionally an `id`). Throws naming the file and line.
  public static func read(path: String) throws -> TextPredictionInput {
    let kind = URL(fileURLWithPath: path).pathExtension.lowercased()
    guard kind == "csv" || kind == "jsonl" else {
      throw TextPredictionInputError.unsupportedExtension(path, kind)
    }
    let data: Data
    do {
      data = try FileReader.contents(of: path)
    } catch {
      throw TextDatasetError(source: path, line: nil, problem: .unreadable(reason: error.reason))
    }
    let text = try TextDataset.decode(data, source: path)
    let input = kind == "csv" ? try parseCSV(text, source: path) : try parseJSONLines(text, source: path)
    guard !input.texts.isEmpty else { throw TextPredictionInputError.noRows(path) }
    return input
  }

  /// Parses CSV text; `source` names it in errors.
  public static func parseCSV(_ text: String, source: String) throws -> TextPredictionInput {
    guard var records = try TextCSVReader(text, source: source) else {
      throw TextPredictionInputError.noRows(source)
    }
    let textColumn = try records.requiredColumn("text")
    let idColumn = records.column("id")
    var texts: [String] = []
    var lines: [Int] = []
    var ids: [String] = []
    var emptyRows: [Int] = []
    while let record = try records.next() {
      if record.fields[textColumn].allSatisfy(\.isWhitespace) { emptyRows.append(texts.count) }
      texts.append(record.fields[textColumn])
      lines.append(record.line)
      if let idColumn { ids.append(record.fields[idColumn]) }
    }
    return TextPredictionInput(
      source: source, texts: texts, lines: lines, ids: idColumn.map { (records.header[$0], ids) },
      emptyRows: emptyRows)
  }

  /// Parses JSON Lines text; `source` names it in errors. An `id` (string or number) is kept when
  /// any line has one.
  public static func parseJSONLines(_ text: String, source: String) throws -> TextPredictionInput {
    var texts: [String] = []
    var lines: [Int] = []
    var ids: [String?] = []
    var emptyRows: [Int] = []
    var lineNumber = 0
    for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      func fail(_ problem: TextDatasetError.Problem) -> TextDatasetError {
        TextDatasetError(source: source, line: lineNumber, problem: problem)
      }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      let parsed: Any
      do {
        parsed = try JSONSerialization.jsonObject(with: Data(line))
      } catch {
        throw fail(.invalidJSON(reason: (error as NSError).localizedDescription))
      }
      guard let object = parsed as? [String: Any] else {
        throw fail(.invalidJSON(reason: "the line is not an object"))
      }
      guard let value = object["text"] else { throw fail(.missingField("text")) }
      guard let text = value as? String else { throw fail(.invalidJSON(reason: "\"text\" is not a string")) }
      if text.allSatisfy(\.isWhitespace) { emptyRows.append(texts.count) }
      texts.append(text)
      lines.append(lineNumber)
      switch object["id"] {
      case nil, is NSNull: ids.append(nil)
      case let id as String: ids.append(id)
      case let id?: ids.append(BertTokenizerConfiguration.render(id))
      }
    }
    let hasIDs = ids.contains { $0 != nil }
    return TextPredictionInput(
      source: source, texts: texts, lines: lines, ids: hasIDs ? ("id", ids.map { $0 ?? "" }) : nil,
      emptyRows: emptyRows)
  }
}

/// A file to predict on that is not a text file of rows.
public enum TextPredictionInputError: Error, CustomStringConvertible, Equatable {
  case unsupportedExtension(String, String)
  case noRows(String)

  public var description: String {
    switch self {
    case .unsupportedExtension(let path, let found):
      return
        "\(path): a text run predicts on a .csv or .jsonl file, not \(found.isEmpty ? "a file without extension" : ".\(found)")"
    case .noRows(let path):
      return
        "\(path): has no rows; expected a header with a text column (CSV) or one {\"text\": …} object per line"
    }
  }
}
