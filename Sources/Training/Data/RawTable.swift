/// A user's table as read from CSV, before encoding: column names, numeric columns as numbers, the
/// rest as text, and the file line each row came from, so later errors can name it.
public struct RawTable: Sendable {
  /// The file (or `<stdin>`) the table came from, for messages.
  public var source: String
  /// Header names; `column1`, `column2`, … when the file has no header row.
  public var names: [String]
  public var hasHeader: Bool
  /// The 1-based line of each data row (the line it starts on when a quoted field spans lines).
  public var lines: [Int]
  /// Indices of the columns held as numbers, ascending.
  public var numericColumns: [Int]
  /// Row-major, `rowCount × numericColumns.count`; NaN marks a missing cell.
  public var numbers: [Float]
  /// The columns held as text, by column index: the label, identifiers and category columns.
  public var textColumns: [Int: [String]]

  public var rowCount: Int { lines.count }
  public var columnCount: Int { names.count }

  /// The column called `name` (exactly, else ignoring case), if any.
  public func column(named name: String) -> Int? {
    names.firstIndex(of: name) ?? names.firstIndex { $0.lowercased() == name.lowercased() }
  }

  /// How many cells of the column are missing (empty, `NA`, `NaN`, …).
  public func missingCount(column: Int) -> Int {
    if let cells = textColumns[column] {
      return cells.reduce(0) { $0 + (MissingValue.isMissing($1) ? 1 : 0) }
    }
    guard let position = numericColumns.firstIndex(of: column) else { return 0 }
    let stride = numericColumns.count
    var count = 0
    for row in 0..<rowCount where numbers[row * stride + position].isNaN { count += 1 }
    return count
  }

  /// The cell at `row` of a column as text, whichever way the column is held; missing cells are "".
  public func text(row: Int, column: Int) -> String {
    if let cells = textColumns[column] { return cells[row] }
    guard let position = numericColumns.firstIndex(of: column) else { return "" }
    let value = numbers[row * numericColumns.count + position]
    return value.isNaN ? "" : shortFloatText(value)
  }
}

/// The cells a table may use for a missing value, as pandas reads them by default.
public enum MissingValue {
  public static let words: Set<String> = [
    "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "NULL", "null", "None",
  ]

  public static func isMissing(_ cell: some StringProtocol) -> Bool {
    cell.count <= 4 && words.contains(String(cell))
  }
}

/// The shortest text that reads back as the same Float: `3`, `0.1`, `1e-08`.
func shortFloatText(_ value: Float) -> String {
  if value == value.rounded(), abs(value) < 1e7 { return String(Int(value)) }
  return "\(value)"
}
