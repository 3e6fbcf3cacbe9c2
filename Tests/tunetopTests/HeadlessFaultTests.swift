import Foundation
import Testing

@testable import Training

/// A headless `tunetop train` child, with helpers to wait for its epochs on disk.
final class HeadlessRun {
  let scratch = Scratch()
  let process = Process()
  let name: String

  init(name: String, settings: [String], launcher: [String] = []) throws {
    self.name = name
    let arguments = ["train", "--name", name] + settings.flatMap { ["--set", $0] }
    if let tool = launcher.first {
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = Array(launcher.dropFirst()) + [CLI.binary.path] + arguments
    } else {
      process.executableURL = CLI.binary
      process.arguments = arguments
    }
    process.currentDirectoryURL = scratch.url
    // Nobody reads the output while the run goes, so a pipe could fill up and block the child; errors
    // (and sanitizer reports, under `--sanitize=thread`) go to a file the failure message shows.
    process.standardOutput = FileHandle.nullDevice
    _ = FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: errorsURL)
    try process.run()
  }

  var errorsURL: URL { scratch.url.appendingPathComponent("stderr.txt") }
  var errors: String { (try? String(contentsOf: errorsURL, encoding: .utf8)) ?? "" }

  var run: URL? { scratch.runs.first }

  /// Trained epochs in metrics.csv (epoch 0, the base model, not counted).
  var epochsOnDisk: Int {
    guard let run,
      let text = try? String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    else { return 0 }
    return max(0, text.split(separator: "\n").count - 2)
  }

  func waitForEpochs(_ count: Int, seconds: Double = 60) {
    let deadline = Date().addingTimeInterval(seconds)
    while epochsOnDisk < count && process.isRunning && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
  }

  /// Waits for the exit (a child that ignores the signal fails the test instead of hanging the suite).
  func exitStatus(within seconds: Double = 60) -> Int32 {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  func summary() throws -> RunSummary {
    try RunDirectory(existing: try #require(run)).readSummary()
  }
}

@Test func headlessSIGHUPFinishesTheEpochSavesAndExits129() throws {
  // 400 samples in batches of 8: 50 steps an epoch, so a stop mid-epoch would show in the step count.
  let child = try HeadlessRun(
    name: "hup",
    settings: ["epochs=100000", "train_samples=400", "batch_size=8", "early_stopping_patience=0"])
  child.waitForEpochs(1)
  kill(child.process.processIdentifier, SIGHUP)
  let status = child.exitStatus()
  #expect(status == 129, "\(child.errors)")
  let summary = try child.summary()
  #expect(summary.status == .interrupted)
  #expect(summary.reason?.contains("SIGHUP") == true)
  #expect(summary.steps == summary.epochsRun * 50)
  let run = try #require(child.run)
  try checkRunDirectoryIsConsistent(run)
  #expect(child.epochsOnDisk == summary.epochsRun)
  let last = try SafeTensors.read(from: run.appendingPathComponent("last.safetensors"))
  #expect(last.metadata["step"] == String(summary.steps))
}

@Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/nohup")))
func headlessUnderNohupIgnoresSIGHUP() throws {
  let child = try HeadlessRun(
    name: "nohup", settings: ["epochs=100000", "train_samples=40", "early_stopping_patience=0"],
    launcher: ["/usr/bin/nohup"])
  child.waitForEpochs(1)
  kill(child.process.processIdentifier, SIGHUP)
  let epochsAtHangup = child.epochsOnDisk
  // Still training well after the hangup: more epochs arrive, and only SIGINT ends it.
  child.waitForEpochs(epochsAtHangup + 3)
  #expect(child.process.isRunning)
  #expect(child.epochsOnDisk >= epochsAtHangup + 3)
  child.process.interrupt()
  let status = child.exitStatus()
  #expect(status == 130, "\(child.errors)")
  #expect(try child.summary().status == .interrupted)
}

@Test(arguments: ["removed", "replaced by a file"])
func headlessRunWhoseDirectoryIsLostFailsNamingThePath(_ how: String) throws {
  let scratch = Scratch()
  let process = Process()
  process.executableURL = CLI.binary
  process.arguments = [
    "train", "--set", "epochs=100000", "--set", "train_samples=40", "--set", "early_stopping_patience=0",
  ]
  process.currentDirectoryURL = scratch.url
  let output = scratch.url.appendingPathComponent("output.txt")
  _ = FileManager.default.createFile(atPath: output.path, contents: nil)
  process.standardOutput = try FileHandle(forWritingTo: output)
  process.standardError = FileHandle.nullDevice
  try process.run()
  let lost = try #require(scratch.waitForRun(withMetricsLines: 3))
  // Renamed away in one step first: deleting in place races with the child creating files inside.
  try FileManager.default.moveItem(at: lost, to: scratch.url.appendingPathComponent("gone"))
  if how == "replaced by a file" { try Data("in the way".utf8).write(to: lost) }
  let exitDeadline = Date().addingTimeInterval(30)
  while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.05) }
  if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  #expect(process.terminationStatus == 1)
  let printed = try String(contentsOf: output, encoding: .utf8)
  #expect(printed.contains("status failed"))
  #expect(printed.contains("cannot write \(lost.path)/"), "\(printed)")
}

@Test func runsRootBlockedByAFileExitsTwoNamingThePath() throws {
  let scratch = Scratch()
  try Data("x".utf8).write(to: scratch.url.appendingPathComponent("runs"))
  let result = try CLI.run(["train", "--set", "epochs=2", "--runs", "runs"], in: scratch.url)
  #expect(result.status == 2)
  #expect(
    result.error.contains("cannot write \(scratch.url.appendingPathComponent("runs").path)"),
    "\(result.error)")
}
