import Foundation
import Testing

@testable import Training

/// The lines of a run file, parsed as JSON objects.
private func jsonLines(_ url: URL) throws -> [[String: Any]] {
  try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
    try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
  }
}

/// Waits until `condition` holds, for up to `seconds`; false if it never did.
private func wait(seconds: TimeInterval = 60, for condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    Thread.sleep(forTimeInterval: 0.02)
  }
  return false
}

/// A headless `tunetop train`, long enough to be steered, paused, hot-edited and stopped from
/// `tunetop ctl` as a script would; every effect is checked in the run's own files.
@Test func ctlPausesHotEditsAndStopsAHeadlessRun() throws {
  let scratch = Scratch()
  let train = Process()
  train.executableURL = CLI.binary
  train.arguments = [
    "train", "--name", "steered", "--set", "train_samples=472", "--set", "epochs=400",
    "--set", "early_stopping_patience=0",
  ]
  train.currentDirectoryURL = scratch.url
  train.standardOutput = FileHandle.nullDevice
  train.standardError = FileHandle.nullDevice
  try train.run()
  defer { if train.isRunning { train.terminate() } }
  let run = try #require(scratch.waitForRun(withMetricsLines: 3), "the run never reached epoch 1")
  func ctl(_ words: String...) throws -> CLI.Result {
    try CLI.run(["ctl", "steered"] + words + ["--timeout", "60"], in: scratch.url)
  }
  let control = run.appendingPathComponent("control.jsonl")
  let events = run.appendingPathComponent("events.jsonl")

  let paused = try ctl("pause")
  #expect(paused.status == 0, "\(paused.error)")
  #expect(paused.output.contains("applied at step"))
  let summary = try RunDirectory(existing: run).readSummary()
  #expect(summary.status == .paused)
  let pauseStep = try #require(
    try jsonLines(events).last { $0["event"] as? String == "pause" }?["step"] as? Int)

  let edited = try ctl("set", "learning_rate=1e-5")
  #expect(edited.status == 0, "\(edited.error)")
  let hotEdit = try #require(try jsonLines(events).last { $0["event"] as? String == "hot_edit" })
  #expect(hotEdit["key"] as? String == "learning_rate" && hotEdit["value"] as? Double == 1e-5)
  #expect(hotEdit["step"] as? Int == pauseStep, "a paused run does not step")

  let unknown = try ctl("freeze", "encoder")
  #expect(unknown.status == 1)
  #expect(unknown.error.contains("unknown group \"encoder\"; the groups are"))

  let linesBefore = try String(contentsOf: control, encoding: .utf8).split(separator: "\n").count
  let outOfRange = try ctl("set", "learning_rate=20")
  #expect(outOfRange.status == 2, "a value out of range is bad input, caught before sending")
  #expect(outOfRange.error.contains("learning_rate"))
  #expect(try String(contentsOf: control, encoding: .utf8).split(separator: "\n").count == linesBefore)

  #expect(try ctl("resume").status == 0)
  let metricsURL = run.appendingPathComponent("metrics.csv")
  let epochsAtResume = try MetricsFile.read(run: run).count
  #expect(
    wait { ((try? MetricsFile.read(run: run).count) ?? 0) >= epochsAtResume + 2 }, "no epoch after resume")

  let stopped = try ctl("stop")
  #expect(stopped.status == 0, "\(stopped.error)")
  #expect(
    try RunDirectory(existing: run).readSummary().status == .stopped,
    "ctl stop returns once the run has saved and ended")
  train.waitUntilExit()
  #expect(train.terminationStatus == 0)
  let final = try RunDirectory(existing: run).readSummary()
  #expect(final.status == .stopped)
  #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("last.safetensors").path))

  // The new rate shows in the run's records from the step it took effect, and not before.
  let epochs = try MetricsFile.read(run: run)
  #expect(epochs.filter { $0.step > pauseStep }.allSatisfy { $0.learningRate <= 1e-5 })
  #expect(epochs.contains { $0.step < pauseStep && $0.epoch >= 1 && $0.learningRate > 1e-4 })
  let steps = try String(contentsOf: run.appendingPathComponent("steps.csv"), encoding: .utf8)
    .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
  #expect(steps.filter { Int($0[0])! > pauseStep }.allSatisfy { Double($0[4])! <= 1e-5 })
  #expect(!steps.filter { Int($0[0])! > pauseStep }.isEmpty)
  _ = metricsURL

  // Every command got exactly one answer, in the order they were sent.
  let answers = try jsonLines(events).filter { $0["event"] as? String == "command" }
  #expect(answers.map { $0["id"] as? Int } == [1, 2, 3, 4, 5])
  #expect(answers.map { $0["result"] as? String } == ["applied", "applied", "refused", "applied", "applied"])

  let late = try ctl("pause")
  #expect(late.status == 1)
  #expect(late.error.contains("the run has ended (stopped)"))
}

@Test func ctlExitsThreeWhenNoTrainerAnswers() throws {
  let scratch = Scratch()
  // A live-looking run whose writer (this test process) never reads its control file.
  let run = try RunDirectory(root: scratch.url.appendingPathComponent("runs"), name: "silent")
  try run.writeSummary(RunSummary(status: .running, writer: .current))
  #expect(
    FileManager.default.createFile(
      atPath: run.url.appendingPathComponent("control.jsonl").path, contents: Data(),
      attributes: [.posixPermissions: 0o600]))
  let result = try CLI.run(["ctl", "silent", "pause", "--timeout", "0.3"], in: scratch.url)
  #expect(result.status == 3)
  #expect(result.error.contains("got no answer within 0.3 s"))
  let sent = try jsonLines(run.url.appendingPathComponent("control.jsonl"))
  #expect(sent.count == 1 && sent[0]["command"] as? String == "pause" && sent[0]["id"] as? Int == 1)
}

@Test func ctlRefusesBadInputWithStatusTwoAndWritesNothing() throws {
  let scratch = Scratch()
  let run = try RunDirectory(root: scratch.url.appendingPathComponent("runs"), name: "target")
  try run.writeSummary(RunSummary(status: .running, writer: .current))
  for words in [["jump"], ["set", "momentum=0.5"], ["set", "dropout"], ["pause", "now"], ["freeze"]] {
    let result = try CLI.run(["ctl", "target"] + words, in: scratch.url)
    #expect(result.status == 2, "\(words): \(result.error)")
    #expect(!result.error.isEmpty)
  }
  #expect(!FileManager.default.fileExists(atPath: run.url.appendingPathComponent("control.jsonl").path))
}
