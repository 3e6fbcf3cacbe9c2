/// Why a text task could not be loaded: the file, the line, and what is wrong there.
public struct TextDatasetError: Error, CustomStringConvertible, Equatable, Sendable {
  public enum Problem: Equatable, Sendable {
    case unreadable(reason: String)
    case unsupportedExtension(String)
    case notUTF8
    case noColumn(name: String, header: [String])
    case raggedRow(fields: Int, expected: Int)
    case unterminatedQuote
    case emptyText
    case emptyLabel
    case invalidJSON(reason: String)
    case missingField(String)
    case invalidLabel(String)
    case noRows
  }

  public let source: String
  public let line: Int?
  public let problem: Problem

  public init(source: String, line: Int?, problem: Problem) {
    self.source = source
    self.line = line
    self.problem = problem
  }

  public var description: String {
    let place = line.map { "\(source):\($0)" } ?? source
    switch problem {
    case .unreadable(let reason): return "\(place): cannot be read: \(reason)"
    case .unsupportedExtension(let found):
      return
        "\(place): a text task is a .csv or .jsonl file, not \(found.isEmpty ? "a file without extension" : ".\(found)")"
    case .notUTF8: return "\(place): is not valid UTF-8"
    case .noColumn(let name, let header):
      return "\(place): the header has no \(name) column; it has: \(header.joined(separator: ", "))"
    case .raggedRow(let fields, let expected):
      return "\(place): the row has \(fields) fields; the header has \(expected)"
    case .unterminatedQuote: return "\(place): a quoted field opened here is never closed"
    case .emptyText: return "\(place): the text is empty"
    case .emptyLabel: return "\(place): the label is empty"
    case .invalidJSON(let reason): return "\(place): is not a JSON object: \(reason)"
    case .missingField(let name): return "\(place): has no \"\(name)\" field"
    case .invalidLabel(let value):
      return "\(place): label is \(value); expected a class name (string) or a non-negative integer"
    case .noRows: return "\(place): has no rows; expected a text and a label per row"
    }
  }
}
