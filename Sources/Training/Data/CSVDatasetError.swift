/// A problem in a user's CSV data, with `file:line`, the offending cell and what is valid.
public struct CSVDatasetError: Error, CustomStringConvertible, Equatable, Sendable {
  public var source: String
  /// 1-based line number, or nil when the problem is with the whole file.
  public var line: Int?
  public var problem: Problem

  public init(source: String, line: Int?, problem: Problem) {
    self.source = source
    self.line = line
    self.problem = problem
  }

  /// The specific defect, so tests and callers can tell the cases apart.
  public enum Problem: Equatable, Sendable {
    case unreadable(reason: String)
    case notUTF8
    case empty
    case noDataRows
    case tooFewColumns(count: Int)
    case raggedRow(columns: Int, expected: Int, firstLine: Int)
    case duplicateLabelColumn(first: Int, second: Int)
    /// `column` is 1-based; `name` comes from the header when there is one.
    case notANumber(column: Int, name: String?, cell: String)
    case notFinite(column: Int, name: String?, cell: String)
    case invalidLabel(cell: String, reason: String)
    /// Tables: the first byte that is not UTF-8 is in this 1-based column of the line.
    case notUTF8At(column: Int)
    /// Tables: a quoted field opened on this line is never closed.
    case unterminatedQuote
    /// Tables: a feature column of text with too many distinct values to be categories.
    case freeTextColumn(column: Int, name: String?, cell: String, distinct: Int)
    /// Tables: a row without a label.
    case missingLabel(column: Int, name: String?)
    /// Tables: every row has the same label, so there is nothing to classify.
    case singleClass(name: String)
    /// Tables: a validation, test or prediction file's label that the training data does not have.
    case unknownClass(cell: String, known: [String])
    /// Tables: a column the model was trained on is not in this file.
    case missingColumn(name: String, has: [String])
  }

  public var description: String {
    let place = line.map { "\(source):\($0)" } ?? source
    return "\(place): \(problem.message(line: line))"
  }
}

extension CSVDatasetError.Problem {
  private static let expectedShape =
    "expected rows of numeric feature columns and an integer label column, with an optional header row"
  static let labelRule = "labels must be integers 0, 1, 2, … below \(CSVDataset.maximumClasses)"

  func message(line: Int?) -> String {
    func column(_ index: Int, _ name: String?) -> String {
      name.map { "column \(index) (\"\($0)\")" } ?? "column \(index)"
    }
    switch self {
    case .unreadable(let reason):
      return "cannot read the file: \(reason)"
    case .notUTF8:
      return "file is not UTF-8 text; \(Self.expectedShape)"
    case .empty:
      return "file is empty; \(Self.expectedShape)"
    case .noDataRows:
      return "file has a header but no data rows; \(Self.expectedShape)"
    case .tooFewColumns(let count):
      return "line \(line ?? 0) has \(count) column; expected at least one feature column and a label column"
    case .raggedRow(let columns, let expected, let firstLine):
      return "line \(line ?? 0) has \(columns) columns, expected \(expected) like line \(firstLine)"
    case .duplicateLabelColumn(let first, let second):
      return "columns \(first) and \(second) are both named \"label\"; expected one label column"
    case .notANumber(let index, let name, let cell):
      return "\(column(index, name)) is \"\(cell)\", which is not a number; "
        + "feature cells must be numbers such as 0.5 or -3"
    case .notFinite(let index, let name, let cell):
      return "\(column(index, name)) is \"\(cell)\"; feature cells must be finite numbers"
    case .invalidLabel(let cell, let reason):
      return "label \"\(cell)\" \(reason); \(Self.labelRule)"
    case .notUTF8At(let index):
      return "column \(index) is not UTF-8 text; save the file as UTF-8"
    case .unterminatedQuote:
      return
        "a quoted field starts on this line and is never closed; close it with \" or escape a quote as \"\""
    case .freeTextColumn(let index, let name, let cell, let distinct):
      return "\(column(index, name)) is \"\(cell)\", and the column has \(distinct) distinct texts; "
        + "feature columns must be numbers, or categories with at most \(TablePreprocessing.maximumCategories) "
        + "distinct values (one-hot encoded); drop free-text columns such as names or comments from the file"
    case .missingLabel(let index, let name):
      return "\(column(index, name)), the label, is empty; every training row needs a class"
    case .singleClass(let name):
      return "every row has the label \"\(name)\"; a classifier needs at least two classes"
    case .unknownClass(let cell, let known):
      let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
      return "label \"\(cell)\" is not a class of the training data; the classes are \(shown)"
    case .missingColumn(let name, let has):
      return
        "no column \"\(name)\", which the model was trained on; the file has \(has.joined(separator: ", "))"
    }
  }
}
