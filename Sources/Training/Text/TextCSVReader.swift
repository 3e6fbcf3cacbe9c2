import CSV
import Foundation

/// The records of a CSV text file (a text task, texts to predict on) with the line each starts on.
///
/// The file is RFC 4180 as CSV.swift reads it. Blank lines are skipped; a row whose field count is
/// not the header's is refused naming its line. What an empty file is, and which columns a file
/// needs, is each caller's to say.
struct TextCSVReader {
  /// A record's fields and the line it starts on.
  struct Record {
    let fields: [String]
    let line: Int
  }

  let source: String
  /// The header row as written.
  let header: [String]
  /// The header's names trimmed of spaces and lowercased, as columns are looked up.
  private let names: [String]
  private let reader: CSVReader
  private let startLines: [Int]
  private var recordIndex = 0

  /// Nil when `text` has no header row. Throws when a quoted field is never closed; `source` names
  /// the text in errors.
  init?(_ text: String, source: String) throws(TextDatasetError) {
    let startLines = try Self.recordStartLines(text, source: source)
    guard let reader = try? CSVReader(string: text, hasHeaderRow: false), let header = reader.next() else {
      return nil
    }
    self.source = source
    self.header = header
    self.names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    self.reader = reader
    self.startLines = startLines
  }

  /// The index of the column called `name` (lowercase; the header's case and surrounding spaces do
  /// not matter), if the header has one.
  func column(_ name: String) -> Int? { names.firstIndex(of: name) }

  /// The index of the column called `name`; throws naming the header when it has none.
  func requiredColumn(_ name: String) throws(TextDatasetError) -> Int {
    guard let index = column(name) else {
      throw TextDatasetError(source: source, line: 1, problem: .noColumn(name: name, header: header))
    }
    return index
  }

  /// The next record that is not a blank line, or nil at the end; throws at a row with another
  /// number of fields than the header.
  mutating func next() throws(TextDatasetError) -> Record? {
    while let row = reader.next() {
      recordIndex += 1
      let line = recordIndex < startLines.count ? startLines[recordIndex] : startLines.last ?? 1
      if row == [""] { continue }  // a blank line
      guard row.count == header.count else {
        throw TextDatasetError(
          source: source, line: line, problem: .raggedRow(fields: row.count, expected: header.count))
      }
      return Record(fields: row, line: line)
    }
    return nil
  }

  /// The line on which each CSV record starts, following RFC 4180 quoting as CSV.swift reads it, so
  /// errors point at the right line even after quoted fields that span lines.
  static func recordStartLines(_ text: String, source: String) throws(TextDatasetError) -> [Int] {
    var starts: [Int] = []
    var line = 1
    var inQuotes = false
    var atFieldStart = true
    var atRecordStart = true
    var quoteLine = 1
    var previousWasCR = false
    var scalars = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    while let scalar = pending ?? scalars.next() {
      pending = nil
      if scalar == "\n" && previousWasCR {
        previousWasCR = false
        line += 1
        continue
      }
      previousWasCR = false
      if atRecordStart {
        starts.append(line)
        atRecordStart = false
      }
      if inQuotes {
        if scalar == "\"" {
          let next = scalars.next()
          if next != "\"" {
            inQuotes = false
            pending = next
          }
        } else if scalar == "\n" {
          line += 1
        }
        continue
      }
      switch scalar {
      case "\"" where atFieldStart:
        inQuotes = true
        quoteLine = line
        atFieldStart = false
      case ",":
        atFieldStart = true
      case "\n", "\r":
        previousWasCR = scalar == "\r"
        if scalar == "\n" { line += 1 }
        atFieldStart = true
        atRecordStart = true
      default:
        atFieldStart = false
      }
    }
    if inQuotes { throw TextDatasetError(source: source, line: quoteLine, problem: .unterminatedQuote) }
    return starts
  }
}
