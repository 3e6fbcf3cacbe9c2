import Foundation
import Testing

@testable import Training

private func parseError(_ text: String) -> CSVDatasetError? {
  do {
    _ = try CSVDataset.parse(text, source: "data.csv")
    return nil
  } catch {
    return error
  }
}

@Test func csvWithoutHeaderUsesTheLastColumnAsLabel() throws {
  let data = try CSVDataset.parse("0.5,1,2\n-3,4e1,0\n", source: "data.csv")
  #expect(data.features == Matrix(rows: 2, cols: 2, storage: [0.5, 1, -3, 40]))
  #expect(data.labels == [2, 0])
  #expect(data.classes == 3)
}

@Test func csvHeaderNamesTheLabelColumnAnywhere() throws {
  let data = try CSVDataset.parse("x1, Label ,x2\n1,4,2\n3,0,4\n", source: "data.csv")
  #expect(data.features.storage == [1, 2, 3, 4])
  #expect(data.labels == [4, 0])
  #expect(data.classes == 5)
}

@Test func csvHeaderWithoutLabelFallsBackToTheLastColumn() throws {
  let data = try CSVDataset.parse("a,b,target\n1,2,1\n", source: "data.csv")
  #expect(data.features.storage == [1, 2])
  #expect(data.labels == [1])
}

@Test func csvToleratesCRLFByteOrderMarkBlankLinesQuotesAndFloatLabels() throws {
  let data = try CSVDataset.parse(
    "\u{FEFF}\"f\",\"label\"\r\n\r\n1.5,\"2.0\"\r\n  \n2.5,0\r\n", source: "data.csv")
  #expect(data.features.storage == [1.5, 2.5])
  #expect(data.labels == [2, 0])
}

@Test func raggedRowsNameTheLineAndExpectedWidth() {
  let error = parseError("f1,f2,label\n1,2,0\n1,2\n")
  #expect(error?.line == 3)
  #expect(error?.problem == .raggedRow(columns: 2, expected: 3, firstLine: 1))
  #expect(error?.description == "data.csv:3: line 3 has 2 columns, expected 3 like line 1")
}

@Test func nonNumericAndNonFiniteCellsAreNamed() {
  let error = parseError("x1,x2,label\n1,2,0\n1,abc,1\n")
  #expect(error?.problem == .notANumber(column: 2, name: "x2", cell: "abc"))
  #expect(
    error?.description
      == "data.csv:3: column 2 (\"x2\") is \"abc\", which is not a number; feature cells must be numbers such as 0.5 or -3"
  )
  #expect(parseError("1,,0\n")?.problem == .notANumber(column: 2, name: nil, cell: ""))
  #expect(parseError("1,nan,0\n")?.problem == .notFinite(column: 2, name: nil, cell: "nan"))
  #expect(parseError("1,1e39,0\n")?.problem == .notFinite(column: 2, name: nil, cell: "1e39"))
}

@Test func emptyAndHeaderOnlyFilesAreRejected() {
  #expect(parseError("")?.problem == .empty)
  #expect(parseError(" \n\n")?.problem == .empty)
  #expect(parseError("a,label\n")?.problem == .noDataRows)
  #expect(parseError("")?.description.hasPrefix("data.csv: file is empty; expected rows of numeric") == true)
  #expect(parseError("5\n6\n")?.problem == .tooFewColumns(count: 1))
}

@Test func labelsMustBeNonNegativeIntegers() {
  let negative = parseError("1,2,0\n1,2,-1\n")
  #expect(negative?.problem == .invalidLabel(cell: "-1", reason: "is negative"))
  #expect(
    negative?.description
      == "data.csv:2: label \"-1\" is negative; labels must be integers 0, 1, 2, … below 10000")
  #expect(parseError("1,2,2.5\n")?.problem == .invalidLabel(cell: "2.5", reason: "is not an integer"))
  #expect(parseError("x,label\n1,cat\n")?.problem == .invalidLabel(cell: "cat", reason: "is not a number"))
  #expect(parseError("1,2,1e9\n")?.problem == .invalidLabel(cell: "1e9", reason: "is too large"))
}

@Test func twoLabelColumnsAreAmbiguous() {
  #expect(parseError("label,x,LABEL\n1,2,3\n")?.problem == .duplicateLabelColumn(first: 1, second: 3))
}

@Test func loadReadsAFileAndNamesAMissingOne() throws {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "tunetop-csv-\(UUID().uuidString).csv")
  defer { try? FileManager.default.removeItem(at: url) }
  try "a,b,label\n1,2,1\n3,4,0\n".write(to: url, atomically: true, encoding: .utf8)
  let data = try CSVDataset.load(path: url.path)
  #expect(data.count == 2)

  let missing = "/nonexistent-tunetop/data.csv"
  let error = #expect(throws: CSVDatasetError.self) { try CSVDataset.load(path: missing) }
  #expect(error?.description == "\(missing): cannot read the file: No such file or directory")
}
