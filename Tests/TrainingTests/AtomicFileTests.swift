import Foundation
import Testing

@testable import Training

private func makeScratchDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "tunetop-atomic-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

@Test func atomicWriteRoundTripsAndReplacesWithoutLeavingTemporaryFiles() throws {
  let directory = try makeScratchDirectory()
  defer { try? FileManager.default.removeItem(at: directory) }
  let target = directory.appendingPathComponent("last.safetensors")

  try AtomicFile.write(Data([1, 2, 3]), to: target)
  #expect(try Data(contentsOf: target) == Data([1, 2, 3]))
  let replacement = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
  try AtomicFile.write(replacement, to: target)
  #expect(try Data(contentsOf: target) == replacement)
  #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["last.safetensors"])
}

@Test func atomicWriteIntoAMissingDirectoryNamesThePathAndReason() throws {
  let target = URL(fileURLWithPath: "/nonexistent-tunetop-\(UUID().uuidString)/best.safetensors")
  let error = #expect(throws: FileSystemError.self) { try AtomicFile.write(Data([0]), to: target) }
  #expect(error?.description.contains(target.path) == true)
  #expect(error?.description.contains("No such file or directory") == true)
}

@Test func atomicWriteWhereTheParentIsAFileFailsWithoutLeavingAnything() throws {
  let directory = try makeScratchDirectory()
  defer { try? FileManager.default.removeItem(at: directory) }
  let blocker = directory.appendingPathComponent("runs")
  try Data("not a directory".utf8).write(to: blocker)
  let target = blocker.appendingPathComponent("metrics.csv")
  let error = #expect(throws: FileSystemError.self) { try AtomicFile.write(Data([0]), to: target) }
  #expect(error?.description.contains(target.path) == true)
  #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["runs"])
}

@Test func appendLineCreatesTheFileAndEndsEveryLine() throws {
  let directory = try makeScratchDirectory()
  defer { try? FileManager.default.removeItem(at: directory) }
  let log = directory.appendingPathComponent("events.jsonl")

  try AtomicFile.appendLine("{\"event\":\"start\"}", to: log)
  try AtomicFile.appendLine("{\"event\":\"pause\"}\n", to: log)
  try AtomicFile.appendLine("{\"event\":\"finish\"}", to: log)
  let text = try String(contentsOf: log, encoding: .utf8)
  #expect(text == "{\"event\":\"start\"}\n{\"event\":\"pause\"}\n{\"event\":\"finish\"}\n")
}

@Test func appendLineToAMissingDirectoryNamesThePath() throws {
  let log = URL(fileURLWithPath: "/nonexistent-tunetop-\(UUID().uuidString)/metrics.csv")
  let error = #expect(throws: FileSystemError.self) { try AtomicFile.appendLine("1,2", to: log) }
  #expect(error?.description.contains(log.path) == true)
}

@Test func nonDurableWritesAreStillAtomicAndSyncFlushesThem() throws {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "tunetop-nd-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let target = directory.appendingPathComponent("last.bin")
  try AtomicFile.write(Data("old".utf8), to: target, durable: false)
  try AtomicFile.write(Data("new".utf8), to: target, durable: false)
  try AtomicFile.appendLine("a,b", to: directory.appendingPathComponent("log.csv"), durable: false)
  #expect(try Data(contentsOf: target) == Data("new".utf8))
  #expect(
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["last.bin", "log.csv"])
  // Files that do not exist are skipped; the rest are flushed without error.
  try AtomicFile.sync(
    [target, directory.appendingPathComponent("log.csv"), directory.appendingPathComponent("missing")],
    directory: directory)
  #expect(throws: FileSystemError.self) {
    try AtomicFile.sync([], directory: directory.appendingPathComponent("nope"))
  }
}
