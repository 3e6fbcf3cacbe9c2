import Foundation
import Testing

@testable import Training

/// Runs the built `tunetop` binary the way a user would.
struct CLI {
  static var binary: URL {
    // The test bundle and the executable are built into the same products directory.
    var directory = Bundle.main.bundleURL
    for _ in 0..<3 {
      let candidate = directory.appendingPathComponent("tunetop")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/tunetop")
  }

  struct Result {
    var status: Int32
    var output: String
    var error: String
  }

  static func run(_ arguments: [String], in directory: URL) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
      error: String(decoding: errData, as: UTF8.self))
  }
}

final class Scratch {
  let url: URL
  init() {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-cli-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }
  var runs: [URL] {
    // Hidden entries are directories still being assembled (or left by a kill mid-creation).
    ((try? FileManager.default.contentsOfDirectory(
      at: url.appendingPathComponent("runs"), includingPropertiesForKeys: nil)) ?? [])
      .filter { !$0.lastPathComponent.hasPrefix(".") }
  }

  /// The first run once its `metrics.csv` has `lines` lines (the header and the epochs so far), or
  /// nil after `seconds`: how the kill and signal tests wait for real progress on a loaded machine.
  func waitForRun(withMetricsLines lines: Int, seconds: TimeInterval = 60) -> URL? {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if let run = runs.first,
        let text = try? String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8),
        text.split(separator: "\n").count >= lines
      {
        return run
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return nil
  }
}

/// The exit status a tmux pane's shell wrote with `echo $? > file`, once it is there.
///
/// `echo $? > file` creates the file before writing it, so this waits for the number, not the file.
func waitForExitStatus(in file: URL, seconds: TimeInterval = 10) -> String? {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    let text = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(
      in: .whitespacesAndNewlines)
    if let text, !text.isEmpty { return text }
    Thread.sleep(forTimeInterval: 0.1)
  }
  return nil
}

@Test func badSetValueExitsTwoAndWritesNothing() throws {
  let scratch = Scratch()
  let result = try CLI.run(["train", "--set", "learning_rate=-1"], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("learning_rate"))
  #expect(result.error.contains("-1"))
  #expect(scratch.runs.isEmpty)
}

@Test func unknownKeySuggestsTheNearestOne() throws {
  let scratch = Scratch()
  let result = try CLI.run(["train", "--set", "learnig_rate=0.1"], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("did you mean learning_rate?"))
}

@Test func yamlSyntaxErrorNamesFileAndLine() throws {
  let scratch = Scratch()
  let config = scratch.url.appendingPathComponent("bad.yaml")
  try "epochs: 3\nlearning_rate: [1e-3\nbatch_size: 8\n".write(to: config, atomically: true, encoding: .utf8)
  let result = try CLI.run(["train", "--config", config.path], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("bad.yaml:"))
  #expect(scratch.runs.isEmpty)
}

@Test func zeroEpochsScoresTheBaseModelOnThickDigits() throws {
  let scratch = Scratch()
  let result = try CLI.run(["train", "--set", "epochs=0", "--name", "baseline"], in: scratch.url)
  #expect(result.status == 0, "\(result.error)")
  let run = try #require(scratch.runs.first)
  #expect(run.lastPathComponent.hasSuffix("-baseline"))
  let summary = try JSONDecoder().decode(
    RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
  #expect(summary.status == .completed)
  #expect(summary.epochsRun == 0)
  // DESIGN §7: the clean model scores about 0.6 on thick digits before fine-tuning.
  #expect(summary.bestValidationAccuracy > 0.5 && summary.bestValidationAccuracy < 0.75)
}

@Test func pipedTrainPrintsOneLinePerEpochAndASummary() throws {
  let scratch = Scratch()
  let result = try CLI.run(
    ["train", "--set", "epochs=3", "--set", "train_samples=40", "--runs", "elsewhere"], in: scratch.url)
  #expect(result.status == 0, "\(result.error)")
  let epochLines = result.output.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
  #expect(epochLines.count == 4)  // epoch 0 (the base model) and three trained epochs
  #expect(result.output.contains("status completed"))
  #expect(!result.output.contains("\u{1B}["))
  #expect(
    FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("elsewhere").path))
}

@Test func divergingRunExitsOne() throws {
  let scratch = Scratch()
  let result = try CLI.run(
    [
      "train", "--set", "learning_rate=10", "--set", "optimizer=sgd", "--set", "grad_clip=0",
      "--set", "train_samples=64", "--set", "epochs=20", "--set", "warmup_epochs=0",
    ], in: scratch.url)
  #expect(result.status == 1)
  #expect(result.output.contains("status diverged"))
}

@Test func sigintSavesLastAndExits130() throws {
  let scratch = Scratch()
  let process = Process()
  process.executableURL = CLI.binary
  process.arguments = [
    "train", "--set", "epochs=100000", "--set", "train_samples=100", "--set", "early_stopping_patience=0",
  ]
  process.currentDirectoryURL = scratch.url
  // Nobody reads the output while the run goes, so a pipe could fill up and block the child.
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  // Wait until at least one epoch is on disk, then interrupt.
  let metrics = scratch.waitForRun(withMetricsLines: 3)?.appendingPathComponent("metrics.csv")
  #expect(metrics != nil)
  process.interrupt()
  // A child that ignores the signal must fail the test, not hang the suite.
  let exitDeadline = Date().addingTimeInterval(30)
  while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.05) }
  if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  #expect(process.terminationStatus == 130)
  let run = try #require(scratch.runs.first)
  let summary = try JSONDecoder().decode(
    RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
  #expect(summary.status == .interrupted)
  #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("last.safetensors").path))
}

@Test func interruptedRunResumesFromTheCommandLine() throws {
  let scratch = Scratch()
  let process = Process()
  process.executableURL = CLI.binary
  process.arguments = [
    "train", "--set", "epochs=150", "--set", "train_samples=40", "--set", "early_stopping_patience=0",
    "--name", "resume-me",
  ]
  process.currentDirectoryURL = scratch.url
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  _ = scratch.waitForRun(withMetricsLines: 4)
  process.interrupt()
  process.waitUntilExit()
  #expect(process.terminationStatus == 130)

  let settingsRefused = try CLI.run(["train", "--resume", "resume-me", "--set", "epochs=5"], in: scratch.url)
  #expect(settingsRefused.status == 2)
  let resumed = try CLI.run(["train", "--resume", "resume-me"], in: scratch.url)
  #expect(resumed.status == 0, "\(resumed.error)")
  #expect(resumed.output.contains("resuming"))
  let run = try #require(scratch.runs.first)
  let summary = try JSONDecoder().decode(
    RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
  #expect(summary.status == .completed)
  #expect(summary.epochsRun == 150)
  let again = try CLI.run(["train", "--resume", "resume-me"], in: scratch.url)
  #expect(again.status == 2)
  #expect(again.error.contains("ended completed"))
}

@Test func pretrainIsReproducibleAndItsOutputIsABaseModel() throws {
  let scratch = Scratch()
  for name in ["a", "b"] {
    let result = try CLI.run(
      ["pretrain", "--set", "epochs=2", "--out", "\(name).safetensors"], in: scratch.url)
    #expect(result.status == 0, "\(result.error)")
  }
  let a = try Data(contentsOf: scratch.url.appendingPathComponent("a.safetensors"))
  let b = try Data(contentsOf: scratch.url.appendingPathComponent("b.safetensors"))
  #expect(a == b)
  let other = try CLI.run(
    ["pretrain", "--set", "epochs=2", "--set", "seed=7", "--out", "c.safetensors"], in: scratch.url)
  #expect(other.status == 0)
  #expect(try Data(contentsOf: scratch.url.appendingPathComponent("c.safetensors")) != a)
  let fineTune = try CLI.run(
    ["train", "--set", "epochs=2", "--set", "base_model=a.safetensors"], in: scratch.url)
  #expect(fineTune.status == 0, "\(fineTune.error)")
}
