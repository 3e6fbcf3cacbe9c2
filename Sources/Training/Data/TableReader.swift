import CSV
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a user's CSV table as people write them: a header row (detected), RFC 4180 quoting, CRLF,
/// a UTF-8 byte-order mark, blank lines, and the missing-value words pandas knows.
///
/// Quoted and non-ASCII files go through the CSV.swift library. Plain numeric files — the large
/// ones — take a byte-level fast path that streams the file in blocks and parses numbers without
/// creating strings (measured in Benchmarks/RESULTS.md); it gives up on anything unusual and
/// leaves the file to the library, which is also the one place errors are reported from.
public enum TableReader {
  /// Which columns stay text whatever they hold (the label, an id), decided once the names are known.
  public typealias TextColumns = (_ names: [String], _ hasHeader: Bool) -> Set<Int>

  public static func read(path: String, textColumns: @escaping TextColumns) throws(CSVDatasetError)
    -> RawTable
  {
    if let table = try? FastTableReader.read(path: path, textColumns: textColumns) { return table }
    let data: Data
    do {
      data = try FileReader.contents(of: path)
    } catch {
      throw CSVDatasetError(source: path, line: nil, problem: .unreadable(reason: error.reason))
    }
    return try parse(data, source: path, textColumns: textColumns)
  }

  /// Reads with CSV.swift alone, skipping the fast path: what the benchmark that justifies the
  /// fast path measures.
  public static func readWithLibrary(path: String, textColumns: @escaping TextColumns) throws(CSVDatasetError)
    -> RawTable
  {
    let data: Data
    do {
      data = try FileReader.contents(of: path)
    } catch {
      throw CSVDatasetError(source: path, line: nil, problem: .unreadable(reason: error.reason))
    }
    return try LibraryTableReader.parse(data, source: path, textColumns: textColumns)
  }

  /// CSV.swift alone on bytes, for the fuzz target that checks the fast path agrees with it.
  public static func parseWithLibrary(_ data: Data, source: String, textColumns: @escaping TextColumns)
    throws(CSVDatasetError) -> RawTable
  {
    try LibraryTableReader.parse(data, source: source, textColumns: textColumns)
  }

  /// Reads CSV bytes; `source` names them in errors.
  public static func parse(_ data: Data, source: String, textColumns: @escaping TextColumns)
    throws(CSVDatasetError)
    -> RawTable
  {
    let fast = data.withUnsafeBytes { raw in
      FastTableReader.parse(raw.bindMemory(to: UInt8.self), source: source, textColumns: textColumns)
    }
    if let fast { return fast }
    return try LibraryTableReader.parse(data, source: source, textColumns: textColumns)
  }

  /// The label column: the one named `label` (any case), else the last; two `label` columns are an error.
  public static func labelColumn(names: [String], hasHeader: Bool) -> Int {
    if hasHeader, let named = names.firstIndex(where: { $0.lowercased() == "label" }) { return named }
    return names.count - 1
  }

  /// Whether the first row is a header: it has a cell that is not a number where the second row has
  /// one, or it has no number at all. `5.1,3.5,setosa` over `4.9,3.0,setosa` is data, not a header.
  static func isHeader(_ first: [String], next: [String]?) -> Bool {
    func isNumber(_ cell: String) -> Bool {
      MissingValue.isMissing(cell) || NumberParsing.float(cell) != nil
    }
    let textual = first.indices.filter { !isNumber(first[$0]) }
    if textual.isEmpty { return false }
    if textual.count == first.count { return true }
    guard let next, next.count == first.count else { return true }
    return textual.contains { isNumber(next[$0]) }
  }

  static func defaultNames(_ count: Int) -> [String] {
    (1...max(count, 1)).map { "column\($0)" }
  }
}

/// The general path: CSV.swift tokenises, this turns rows into a `RawTable` and reports bad input.
enum LibraryTableReader {
  static func parse(_ data: Data, source: String, textColumns: TableReader.TextColumns)
    throws(CSVDatasetError)
    -> RawTable
  {
    func fail(_ line: Int?, _ problem: CSVDatasetError.Problem) -> CSVDatasetError {
      CSVDatasetError(source: source, line: line, problem: problem)
    }
    guard var text = String(validating: data, as: UTF8.self) else {
      let (line, column) = firstInvalidUTF8(data)
      throw fail(line, .notUTF8At(column: column))
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    if let line = unterminatedQuoteLine(text) { throw fail(line, .unterminatedQuote) }

    let reader: CSVReader
    do {
      reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false)
    } catch {
      throw fail(nil, .unreadable(reason: "\(error)"))
    }
    var rows: [[String]] = []
    var lines: [Int] = []
    var line = 1
    while let row = reader.next() {
      let start = line
      line += 1 + row.reduce(0) { $0 + $1.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
      let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
      if cells.allSatisfy(\.isEmpty) && cells.count == 1 { continue }
      rows.append(cells)
      lines.append(start)
    }
    guard let first = rows.first else { throw fail(nil, .empty) }
    guard first.count >= 2 else { throw fail(lines[0], .tooFewColumns(count: first.count)) }
    let hasHeader = TableReader.isHeader(first, next: rows.count > 1 ? rows[1] : nil)
    let names = hasHeader ? first : TableReader.defaultNames(first.count)
    let headerLine = lines[0]
    if hasHeader {
      let labels = names.indices.filter { names[$0].lowercased() == "label" }
      if labels.count > 1 {
        throw fail(lines[0], .duplicateLabelColumn(first: labels[0] + 1, second: labels[1] + 1))
      }
      rows.removeFirst()
      lines.removeFirst()
    }
    if rows.isEmpty { throw fail(nil, .noDataRows) }
    for (row, cells) in rows.enumerated() where cells.count != names.count {
      throw fail(lines[row], .raggedRow(columns: cells.count, expected: names.count, firstLine: headerLine))
    }

    let keptAsText = textColumns(names, hasHeader)
    var numericColumns: [Int] = []
    var textCells: [Int: [String]] = [:]
    var columnValues: [[Float]] = []
    for column in names.indices {
      if !keptAsText.contains(column),
        let values = try numbers(
          rows, column: column, name: hasHeader ? names[column] : nil, lines: lines, fail: fail)
      {
        numericColumns.append(column)
        columnValues.append(values)
      } else {
        textCells[column] = rows.map { $0[column] }
      }
    }
    var numbers = [Float]()
    numbers.reserveCapacity(rows.count * numericColumns.count)
    for row in rows.indices {
      for values in columnValues { numbers.append(values[row]) }
    }
    return RawTable(
      source: source, names: names, hasHeader: hasHeader, lines: lines, numericColumns: numericColumns,
      numbers: numbers, textColumns: textCells)
  }

  /// The column as numbers (NaN for missing cells), or nil when a cell is text; a number too large
  /// for `Float` is an error rather than text.
  private static func numbers(
    _ rows: [[String]], column: Int, name: String?, lines: [Int],
    fail: (Int?, CSVDatasetError.Problem) -> CSVDatasetError
  ) throws(CSVDatasetError) -> [Float]? {
    var values = [Float]()
    values.reserveCapacity(rows.count)
    for (row, cells) in rows.enumerated() {
      let cell = cells[column]
      if MissingValue.isMissing(cell) {
        values.append(.nan)
        continue
      }
      guard let value = NumberParsing.float(cell) else { return nil }
      guard value.isFinite else {
        throw fail(lines[row], .notFinite(column: column + 1, name: name, cell: cell))
      }
      values.append(value)
    }
    return values
  }

  /// The line of a quote that opens a field and is never closed, which CSV.swift would silently
  /// read to the end of the file. Follows CSV.swift's rules: a quote opens a field only at its start,
  /// and a quoted field ends at a quote followed by a comma, a line break or the end.
  static func unterminatedQuoteLine(_ text: String) -> Int? {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    var state = State.fieldStart
    var line = 1
    var openedOn = 1
    for byte in text.utf8 {
      let isBreak = byte == 0x0A || byte == 0x0D
      switch state {
      case .fieldStart, .unquoted:
        if byte == UInt8(ascii: "\""), state == .fieldStart {
          state = .quoted
          openedOn = line
        } else {
          state = byte == UInt8(ascii: ",") || isBreak ? .fieldStart : .unquoted
        }
      case .quoted:
        if byte == UInt8(ascii: "\"") { state = .quoteInQuoted }
      case .quoteInQuoted:
        state = byte == UInt8(ascii: ",") || isBreak ? .fieldStart : .quoted
      }
      if byte == 0x0A { line += 1 }
    }
    return state == .quoted ? openedOn : nil
  }

  /// Line and column (counting commas) of the first byte that is not valid UTF-8.
  static func firstInvalidUTF8(_ data: Data) -> (line: Int, column: Int) {
    var line = 1
    var lineStart = data.startIndex
    var index = data.startIndex
    while index <= data.endIndex {
      if index == data.endIndex || data[index] == 0x0A {
        if String(validating: data[lineStart..<index], as: UTF8.self) == nil {
          let bytes = data[lineStart..<index]
          var column = 1
          var position = bytes.startIndex
          while position < bytes.endIndex {
            let length = utf8Length(bytes[position])
            let end = min(position + max(length, 1), bytes.endIndex)
            if length == 0 || String(validating: bytes[position..<end], as: UTF8.self) == nil { break }
            if bytes[position] == UInt8(ascii: ",") { column += 1 }
            position = end
          }
          return (line, column)
        }
        line += 1
        lineStart = index + 1
      }
      index += 1
    }
    return (line, 1)
  }

  private static func utf8Length(_ lead: UInt8) -> Int {
    switch lead {
    case 0..<0x80: return 1
    case 0xC2..<0xE0: return 2
    case 0xE0..<0xF0: return 3
    case 0xF0..<0xF5: return 4
    default: return 0
    }
  }
}
