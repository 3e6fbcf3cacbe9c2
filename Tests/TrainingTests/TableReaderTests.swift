import Foundation
import Testing

@testable import Training

/// A fixture under Fixtures/tables.
func tableFixture(_ name: String) -> String {
  Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures/tables")!.path
}

private func readTraining(_ path: String) throws -> RawTable {
  try TableTask.read(path)
}

private func readTraining(text: String) throws -> RawTable {
  try TableReader.parse(Data(text.utf8), source: "t.csv") { names, hasHeader in
    let roles = TableColumns.training(names: names, hasHeader: hasHeader)
    return Set([roles.label, roles.id].compactMap { $0 })
  }
}

private func tableError(_ path: String) -> CSVDatasetError? {
  #expect(throws: CSVDatasetError.self) {
    let table = try readTraining(path)
    var hp = HyperParameters()
    hp.task = path
    hp.baseModel = "none"
    hp.trainSamples = HyperParameters.allSamples
    hp.valFraction = 0.3
    _ = try TableTask.load(hp, base: nil)
    _ = table
  }
}

@Test func classNameLabelsAreKeptAsSortedClasses() throws {
  let table = try readTraining(tableFixture("class_names"))
  #expect(table.hasHeader)
  #expect(table.names == ["sepal_length", "sepal_width", "label"])
  #expect(table.numericColumns == [0, 1])
  #expect(table.textColumns[2] == ["setosa", "setosa", "versicolor", "versicolor", "virginica", "virginica"])
  #expect(table.lines == [2, 3, 4, 5, 6, 7])
}

@Test func headerlessRowsWithClassNamesAreDataNotAHeader() throws {
  let table = try readTraining(text: "5.1,3.5,setosa\n4.9,3.0,versicolor\n")
  #expect(!table.hasHeader)
  #expect(table.rowCount == 2)
  #expect(table.names == ["column1", "column2", "column3"])
}

@Test func quotedFieldsWithCommasAndNewlinesKeepTheirLines() throws {
  let table = try readTraining(tableFixture("quoted"))
  #expect(table.textColumns[0] == ["a,1", "b \"q\""])
  #expect(table.textColumns[1] == ["two\nlines", "plain"])
  // The second record starts on line 4: the first one's quoted field spans lines 2 and 3.
  #expect(table.lines == [2, 4])
  #expect(table.numbers == [1.5, 2.5])
}

@Test func crlfAndByteOrderMarkReadLikePlainFiles() throws {
  let table = try readTraining(tableFixture("crlf_bom"))
  #expect(table.names == ["x", "y", "label"])
  #expect(table.numbers == [1, 2, 3, 4])
  #expect(table.textColumns[2] == ["cat", "dog"])
}

@Test func fastPathAndLibraryAgreeOnPlainFiles() throws {
  let text =
    "a,b,label\n1.5,-2e3,x\n,NA,y\n\n0.1, 7 ,x\n1e-5,0.000123,y\n+3,12345678901234567890,x\n.5,1e30,y\n"
  let data = Data(text.utf8)
  let roles: TableReader.TextColumns = { names, hasHeader in
    [TableReader.labelColumn(names: names, hasHeader: hasHeader)]
  }
  let fast = data.withUnsafeBytes {
    FastTableReader.parse($0.bindMemory(to: UInt8.self), source: "t.csv", textColumns: roles)
  }
  let library = try LibraryTableReader.parse(data, source: "t.csv", textColumns: roles)
  #expect(fast != nil)
  #expect(fast?.names == library.names)
  #expect(fast?.lines == library.lines)
  #expect(fast?.textColumns == library.textColumns)
  #expect(fast?.numbers.map(\.bitPattern) == library.numbers.map(\.bitPattern))
  #expect(library.lines == [2, 3, 5, 6, 7, 8])
}

@Test func numberParsingMatchesStrtod() {
  for text in ["0", "-0.5", "3.14159", "1e-7", "6.02214076e23", "123456789012345678901234", ".5", "5.", "+2"]
  {
    var copy = text
    let fast = copy.withUTF8 { NumberParsing.double($0) }
    #expect(fast == strtod(text, nil), "\(text)")
  }
  for text in ["", "-", "1e", "abc", "1.2.3", "0x10"] {
    var copy = text
    #expect(copy.withUTF8 { NumberParsing.double($0) } == nil, "\(text)")
  }
}

@Test func badTablesNameFileLineAndColumn() {
  let ragged = tableError(tableFixture("ragged"))
  #expect(ragged?.line == 3)
  #expect(ragged?.description.hasSuffix("ragged.csv:3: line 3 has 2 columns, expected 3 like line 1") == true)

  let freeText = tableError(tableFixture("free_text"))
  #expect(freeText?.line == 34)
  #expect(freeText?.description.contains("column 2 (\"comment\") is \"comment number 32\"") == true)
  #expect(freeText?.description.contains("40 distinct texts") == true)

  let notUTF8 = tableError(tableFixture("not_utf8"))
  #expect(notUTF8?.line == 3)
  #expect(notUTF8?.problem == .notUTF8At(column: 2))
  #expect(notUTF8?.description.contains("not_utf8.csv:3: column 2 is not UTF-8") == true)

  let single = tableError(tableFixture("single_class"))
  #expect(single?.problem == .singleClass(name: "same"))
  #expect(single?.description.contains("at least two classes") == true)

  let unterminated = tableError(tableFixture("unterminated"))
  #expect(unterminated?.line == 2)
  #expect(unterminated?.problem == .unterminatedQuote)
}

@Test func aNumberColumnWithAStrayWordIsNamedAtItsLine() throws {
  let error = #expect(throws: CSVDatasetError.self) {
    let table = try readTraining(text: "x,y,label\n1,2,a\n3,oops,b\n5,6,a\n")
    _ = try TablePreprocessing.fit(
      table, columns: .training(names: table.names, hasHeader: true), trainRows: [0, 1, 2],
      classes: ClassLabels(names: ["a", "b"]), normalize: .none)
  }
  #expect(error?.line == 3)
  #expect(error?.problem == .notANumber(column: 2, name: "y", cell: "oops"))
}

@Test func infinitePrecisionOverflowIsAnError() {
  let error = #expect(throws: CSVDatasetError.self) { try readTraining(text: "x,y,label\n1,1e39,a\n") }
  #expect(error?.problem == .notFinite(column: 2, name: "y", cell: "1e39"))
}
