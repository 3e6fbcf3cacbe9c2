import ArgumentParser
import Foundation
import Training

/// `tunetop tokenize`: the token ids a BERT model sees for each input, one JSON array per line.
struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Print the token ids a BERT model sees for each text ([CLS] and [SEP] included).",
    discussion: "Texts come from the arguments, else one per line of standard input. Use it to choose "
      + "max_seq_len, or to compare with Hugging Face's tokenizer.")

  @Option(
    name: .long, help: ArgumentHelp("A model folder with vocab.txt, or minilm.", valueName: "dir|minilm"))
  var model: String

  @Option(name: .customLong("max-len"), help: "Truncate to this many ids, [CLS] and [SEP] included.")
  var maxLength: Int = 512

  @Flag(name: .long, help: "Print the tokens' text instead of their ids.")
  var tokens = false

  @Argument(help: "Texts to tokenize; standard input lines when none.")
  var texts: [String] = []

  func run() throws {
    let tokenizer = try failOnBadInput { () throws -> BertTokenizer in
      guard maxLength >= 2 else {
        throw ValidationError("--max-len is \(maxLength); expected at least 2, room for [CLS] and [SEP]")
      }
      return try BertTokenizer(folder: try ModelStore().resolve(model))
    }
    var output = OutputBuffer()
    if !texts.isEmpty {
      for text in texts { write(text, tokenizer, &output) }
    } else {
      let input = FileHandle.standardInput.readDataToEndOfFile()
      var lineNumber = 0
      for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        lineNumber += 1
        // The empty piece after a final newline (or of empty input) is no line.
        if line.isEmpty && line.endIndex == input.endIndex { break }
        guard let text = String(validating: line, as: UTF8.self) else {
          output.flush()
          try failOnBadInput { throw ValidationError("standard input line \(lineNumber) is not valid UTF-8") }
          return
        }
        write(text, tokenizer, &output)
      }
    }
    output.flush()
  }

  private func write(_ text: String, _ tokenizer: BertTokenizer, _ output: inout OutputBuffer) {
    let ids = tokenizer.encode(text, maxLength: maxLength)
    if tokens {
      let data = try? JSONSerialization.data(
        withJSONObject: tokenizer.tokens(of: ids), options: [.withoutEscapingSlashes])
      output.append(data.map { String(decoding: $0, as: UTF8.self) } ?? "[]")
    } else {
      output.append("[")
      for (position, id) in ids.enumerated() {
        if position > 0 { output.append(",") }
        output.append(String(id))
      }
      output.append("]")
    }
    output.append("\n")
  }
}

/// Standard output written in large blocks: one write per line is slow for a corpus.
private struct OutputBuffer {
  private var bytes: [UInt8] = []

  mutating func append(_ text: String) {
    bytes.append(contentsOf: text.utf8)
    if bytes.count >= 1 << 16 { flush() }
  }

  mutating func flush() {
    guard !bytes.isEmpty else { return }
    FileHandle.standardOutput.write(Data(bytes))
    bytes.removeAll(keepingCapacity: true)
  }
}
