import Foundation

/// Loads a user's classification data from CSV: numeric feature columns and an integer label column.
///
/// The first line is a header when any of its non-empty cells is not a number. The label is the column named
/// `label` (case-insensitive) in the header; with no header, or a header without such a column, it
/// is the last column. Blank lines are skipped, `\r\n` endings and a UTF-8 byte-order mark are
/// accepted, and surrounding double quotes are stripped from cells; quoted commas are not supported
/// since feature data is numeric. Labels are integers ≥ 0 (written as `3` or `3.0`) and the class
/// count is the largest label + 1.
public enum CSVDataset {
  /// Guards against a stray large number turning the head into millions of outputs.
  public static let maximumClasses = 10_000

  public static func load(path: String) throws(CSVDatasetError) -> Dataset {
    let data: Data
    do {
      data = try FileReader.contents(of: path)
    } catch {
      throw CSVDatasetError(source: path, line: nil, problem: .unreadable(reason: error.reason))
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw CSVDatasetError(source: path, line: nil, problem: .notUTF8)
    }
    return try parse(text, source: path)
  }

  /// Parses CSV text; `source` names it in errors.
  public static func parse(_ text: String, source: String) throws(CSVDatasetError) -> Dataset {
    func fail(_ line: Int?, _ problem: CSVDatasetError.Problem) -> CSVDatasetError {
      CSVDatasetError(source: source, line: line, problem: problem)
    }
    var body = Substring(text)
    if body.first == "\u{FEFF}" { body = body.dropFirst() }

    var width = 0
    var firstLine = 0
    var labelColumn = 0
    var names: [String]? = nil
    var storage: [Float] = []
    var labels: [Int] = []

    // Split on "\n" only: Swift treats "\r\n" as one Character, which `split` on "\n" would miss.
    for (offset, rawLine) in body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .enumerated()
    {
      let lineNumber = offset + 1
      let line = Substring(rawLine)
      // Byte-level fast paths give the same answers as the Character-level rules: an ASCII
      // scalar never joins a neighbour's grapheme (the only exception, "\r\n", cannot occur
      // inside a line), so for all-ASCII text bytes and Characters split alike. They make the
      // built-in task's 117k cells parse in milliseconds, which the dashboard's first frame
      // waits for.
      if !rawLine.contains(where: { $0 < 0x80 && !isASCIIWhitespace($0) }), line.allSatisfy(\.isWhitespace) {
        continue
      }
      let cells: [Substring]
      if rawLine.allSatisfy({ $0 < 0x80 }) {
        cells = rawLine.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
          clean(Substring($0))
        }
      } else {
        cells = line.split(separator: ",", omittingEmptySubsequences: false).map(clean)
      }

      if width == 0 {
        guard cells.count >= 2 else { throw fail(lineNumber, .tooFewColumns(count: cells.count)) }
        width = cells.count
        firstLine = lineNumber
        labelColumn = width - 1
        if cells.contains(where: { !$0.isEmpty && Double($0) == nil }) {
          names = cells.map(String.init)
          let matches = cells.indices.filter { cells[$0].lowercased() == "label" }
          if matches.count > 1 {
            throw fail(lineNumber, .duplicateLabelColumn(first: matches[0] + 1, second: matches[1] + 1))
          }
          if let match = matches.first { labelColumn = match }
          continue
        }
      }
      guard cells.count == width else {
        throw fail(lineNumber, .raggedRow(columns: cells.count, expected: width, firstLine: firstLine))
      }
      for (index, cell) in cells.enumerated() {
        let name = names?[index]
        guard let value = Double(cell) else {
          if index == labelColumn {
            throw fail(lineNumber, .invalidLabel(cell: String(cell), reason: "is not a number"))
          }
          throw fail(lineNumber, .notANumber(column: index + 1, name: name, cell: String(cell)))
        }
        if index == labelColumn {
          labels.append(try label(value, cell: cell, line: lineNumber, fail: fail))
        } else {
          guard value.isFinite, Float(value).isFinite else {
            throw fail(lineNumber, .notFinite(column: index + 1, name: name, cell: String(cell)))
          }
          storage.append(Float(value))
        }
      }
    }

    if width == 0 { throw fail(nil, .empty) }
    if labels.isEmpty { throw fail(nil, .noDataRows) }
    return Dataset(
      features: Matrix(rows: labels.count, cols: width - 1, storage: storage), labels: labels,
      classes: labels.max()! + 1)
  }

  private static func clean(_ cell: Substring) -> Substring {
    // Nothing to strip when both ends are ASCII and neither whitespace nor a quote (the usual case).
    if let first = cell.utf8.first, let last = cell.utf8.last, first < 0x80, last < 0x80,
      !isASCIIWhitespace(first), !isASCIIWhitespace(last), first != UInt8(ascii: "\""),
      last != UInt8(ascii: "\"")
    {
      return cell
    }
    var cell = cell.trimmingPrefix(while: \.isWhitespace)
    while let last = cell.last, last.isWhitespace { cell = cell.dropLast() }
    if cell.count >= 2, cell.first == "\"", cell.last == "\"" { cell = cell.dropFirst().dropLast() }
    return cell
  }

  /// The ASCII bytes `Character.isWhitespace` accepts: tab, line feed, vertical tab, form feed,
  /// carriage return and space.
  private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  private static func label(
    _ value: Double, cell: Substring, line: Int, fail: (Int?, CSVDatasetError.Problem) -> CSVDatasetError
  ) throws(CSVDatasetError) -> Int {
    let cell = String(cell)
    guard value.isFinite, value.rounded() == value else {
      throw fail(line, .invalidLabel(cell: cell, reason: "is not an integer"))
    }
    guard value >= 0 else { throw fail(line, .invalidLabel(cell: cell, reason: "is negative")) }
    guard value < Double(maximumClasses) else {
      throw fail(line, .invalidLabel(cell: cell, reason: "is too large"))
    }
    return Int(value)
  }
}
