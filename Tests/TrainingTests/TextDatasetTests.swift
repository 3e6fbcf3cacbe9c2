import Foundation
import Testing

@testable import Training

/// Text tasks from CSV and JSON Lines: labels, quoting, errors with file and line, the built-in
/// WordNet task, and tokenizing into one flat buffer.
struct TextDatasetTests {
  func error(_ body: () throws -> TextDataset) -> String? {
    do {
      _ = try body()
      return nil
    } catch {
      return (error as? TextDatasetError)?.description ?? "not a TextDatasetError: \(error)"
    }
  }

  @Test func readsCSVWithQuotesAndNamedLabels() throws {
    let csv = "id,Label,TEXT\n1,dog,\"a \"\"good\"\" boy, truly\"\n\n2,cat,\"two\nlines\"\r\n3,ant,plain\n"
    let dataset = try TextDataset.parseCSV(csv, source: "t.csv")
    #expect(dataset.texts == ["a \"good\" boy, truly", "two\nlines", "plain"])
    #expect(dataset.classes.names == ["ant", "cat", "dog"])
    #expect(dataset.labels == [2, 1, 0])
  }

  @Test func integerLabelsKeepTheirValue() throws {
    let dataset = try TextDataset.parseJSONLines(
      "{\"text\": \"a\", \"label\": 2}\n\n{\"text\": \"b\", \"label\": 0}\n", source: "t.jsonl")
    #expect(dataset.classes == .numbered(3))
    #expect(dataset.labels == [2, 0])
  }

  @Test func csvErrorsNameTheLine() {
    #expect(
      error { try TextDataset.parseCSV("words,label\nhi,a\n", source: "t.csv") }
        == "t.csv:1: the header has no text column; it has: words, label")
    #expect(
      error { try TextDataset.parseCSV("text\nhi\n", source: "t.csv") }
        == "t.csv:1: the header has no label column; it has: text")
    #expect(
      error { try TextDataset.parseCSV("text,label\n\"x\ny\",a\nb\n", source: "t.csv") }
        == "t.csv:4: the row has 1 fields; the header has 2")
    #expect(
      error { try TextDataset.parseCSV("text,label\nx,a\n  ,b\n", source: "t.csv") }
        == "t.csv:3: the text is empty")
    #expect(
      error { try TextDataset.parseCSV("text,label\nx,\n", source: "t.csv") }
        == "t.csv:2: the label is empty")
    #expect(
      error { try TextDataset.parseCSV("text,label\nx,a\n\"open,b\n", source: "t.csv") }
        == "t.csv:3: a quoted field opened here is never closed")
    #expect(
      error { try TextDataset.parseCSV("text,label\n", source: "t.csv") }
        == "t.csv: has no rows; expected a text and a label per row")
  }

  @Test func jsonLinesErrorsNameTheLine() {
    #expect(
      error { try TextDataset.parseJSONLines("{\"text\": \"a\", \"label\": 1}\n[1]\n", source: "t.jsonl") }
        == "t.jsonl:2: is not a JSON object: the line is not an object")
    #expect(
      error { try TextDataset.parseJSONLines("{\"label\": 1}\n", source: "t.jsonl") }
        == "t.jsonl:1: has no \"text\" field")
    #expect(
      error { try TextDataset.parseJSONLines("{\"text\": \"\", \"label\": 1}\n", source: "t.jsonl") }
        == "t.jsonl:1: the text is empty")
    #expect(
      error { try TextDataset.parseJSONLines("{\"text\": \"a\", \"label\": -1}\n", source: "t.jsonl") }
        == "t.jsonl:1: label is -1; expected a class name (string) or a non-negative integer")
    #expect(
      error { try TextDataset.parseJSONLines("{\"text\": \"a\", \"label\": true}\n", source: "t.jsonl") }
        == "t.jsonl:1: label is true; expected a class name (string) or a non-negative integer")
    #expect(
      error { try TextDataset.parseJSONLines("{\"text\": \"a\"}\n", source: "t.jsonl") }
        == "t.jsonl:1: has no \"label\" field")
  }

  @Test func filesThatAreNotUTF8OrNotCSVAreRefused() throws {
    let scratch = ScratchDirectory()
    let path = scratch.url.appendingPathComponent("t.csv").path
    var bytes = Data("text,label\nok,a\nbad".utf8)
    bytes.append(contentsOf: [0xC3, 0x28])
    bytes.append(contentsOf: Data(",b\n".utf8))
    try bytes.write(to: URL(fileURLWithPath: path))
    #expect(error { try TextDataset.load(path: path) } == "\(path):3: is not valid UTF-8")
    #expect(
      error { try TextDataset.load(path: scratch.url.appendingPathComponent("t.txt").path) }
        == "\(scratch.url.path)/t.txt: a text task is a .csv or .jsonl file, not .txt")
  }

  @Test func theBuiltInWordNetTaskIsBalanced() throws {
    let dataset = try TextDataset.builtIn(.wordNetNouns)
    #expect(
      dataset.classes.names == [
        "animal", "artifact", "body", "food", "location", "person", "plant", "substance",
      ])
    #expect(dataset.count == 4000)
    for index in 0..<dataset.classes.count { #expect(dataset.labels.filter { $0 == index }.count == 500) }
  }

  @Test func tokenizesIntoOneFlatBuffer() throws {
    let folder = Bundle.module.url(forResource: "tokenizer", withExtension: nil, subdirectory: "Fixtures")!
    let tokenizer = try BertTokenizer(folder: folder)
    let dataset = try TextDataset.parseCSV("text,label\nHello world,a\nhello,b\n", source: "t.csv")
    let tokenized = dataset.tokenized(with: tokenizer, maxLength: 3)
    #expect(tokenized.ids == [101, 7592, 102, 101, 7592, 102])
    #expect(tokenized.offsets == [0, 3, 6])
    #expect(Array(tokenized.sequence(1)) == [101, 7592, 102])
    #expect(tokenized.length(0) == 3 && tokenized.labels == [0, 1] && tokenized.count == 2)
  }
}
