import Foundation
import Testing

@testable import Training

/// A fresh run directory with a `RunControl` that checks the file at every call.
private func controlledRun(_ scratch: ScratchDirectory, groups: [String] = ["hidden1", "head"]) throws -> (
  RunDirectory, RunControl
) {
  let run = try RunDirectory(root: scratch.url, name: "steered")
  return (run, try RunControl(directory: run, groups: groups, step: 0, checkInterval: .zero))
}

private func append(_ text: String, to run: RunDirectory) throws {
  let handle = try FileHandle(forWritingTo: run.url.appendingPathComponent("control.jsonl"))
  try handle.seekToEnd()
  try handle.write(contentsOf: Data(text.utf8))
  try handle.close()
}

/// The `command` events of the run, in order.
private func answers(_ run: RunDirectory) throws -> [[String: Any]] {
  let url = run.url.appendingPathComponent("events.jsonl")
  guard FileManager.default.fileExists(atPath: url.path) else { return [] }
  return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap {
    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
  }.filter { $0["event"] as? String == "command" }
}

@Test func controlFileIsCreatedForTheRunsUserOnly() throws {
  let scratch = ScratchDirectory()
  let (run, _) = try controlledRun(scratch)
  var info = stat()
  #expect(stat(run.url.appendingPathComponent("control.jsonl").path, &info) == 0)
  #expect(info.st_mode & 0o777 == 0o600)
  #expect(info.st_uid == geteuid())
  #expect(info.st_size == 0)
}

@Test func aTornLastLineWaitsForItsNewline() throws {
  let scratch = ScratchDirectory()
  let (run, control) = try controlledRun(scratch)
  try append(
    #"{"id": 1, "at": "2026-11-30T04:00:00Z", "command": "pause"}"# + "\n" + #"{"id": 2, "comm"#, to: run)
  var commands: [TrainerCommand] = []
  try control.poll(step: 7, into: &commands)
  #expect(commands == [.pause])
  try append(#"and": "set", "key": "learning_rate", "value": 0.0003}"# + "\n", to: run)
  try control.poll(step: 9, into: &commands)
  #expect(commands == [.pause, .setLearningRate(0.0003)])
  let events = try answers(run)
  #expect(events.map { $0["id"] as? Int } == [1, 2])
  #expect(events.map { $0["result"] as? String } == ["applied", "applied"])
  #expect(events.map { $0["step"] as? Int } == [7, 9])
  #expect(events.map { $0["command"] as? String } == ["pause", "set"])
  // Nothing new: nothing read, nothing answered twice.
  try control.poll(step: 10, into: &commands)
  #expect(commands.count == 2)
  #expect(try answers(run).count == 2)
}

@Test func badCommandsAreRefusedWithTheReasonAndNeverStopTheRun() throws {
  let scratch = ScratchDirectory()
  let (run, control) = try controlledRun(scratch)
  let lines = [
    "not json at all",
    #"{"command": "pause"}"#,
    #"{"id": 3, "command": "jump"}"#,
    #"{"id": 4, "command": "set", "key": "learning_rate", "value": 20}"#,
    #"{"id": 5, "command": "set", "key": "batch_size", "value": 8}"#,
    #"{"id": 6, "command": "set", "key": "dropout", "value": "lots"}"#,
    #"{"id": 7, "command": "freeze", "group": "encoder"}"#,
    #"{"id": 8, "command": "unfreeze"}"#,
    #"{"id": true, "command": "stop"}"#,
    #"{"id": 10, "command": "freeze", "group": "hidden1"}"#,
  ]
  try append(lines.joined(separator: "\n") + "\n", to: run)
  var commands: [TrainerCommand] = []
  try control.poll(step: 3, into: &commands)
  #expect(commands == [.setFrozen(group: "hidden1", frozen: true)])
  let events = try answers(run)
  #expect(events.count == lines.count)
  let refused = events.filter { $0["result"] as? String == "refused" }
  #expect(refused.count == lines.count - 1)
  func reason(_ index: Int) -> String { events[index]["reason"] as? String ?? "" }
  #expect(events[0]["id"] == nil && reason(0) == "control.jsonl line 1 is not a JSON object")
  #expect(reason(1).contains("line 2 has no \"id\"") && events[1]["command"] as? String == "pause")
  #expect(events[2]["id"] as? Int == 3)
  #expect(reason(2) == "unknown command \"jump\"; valid: pause, resume, stop, prune, set, freeze, unfreeze")
  #expect(reason(3).contains("learning_rate") && reason(3).contains("20"))
  #expect(
    reason(4) == "unknown key \"batch_size\"; a running run can change learning_rate, weight_decay, dropout")
  #expect(reason(5).contains("numeric") && reason(5).contains("lots"))
  #expect(reason(6) == "unknown group \"encoder\"; the groups are hidden1, head")
  #expect(reason(7).contains("needs a \"group\""))
  #expect(reason(8).contains("has no \"id\""), "true is not an id")
  #expect(events[9]["result"] as? String == "applied" && events[9]["id"] as? Int == 10)
}

@Test func aCommandAfterTheRunEndedIsRefused() throws {
  let scratch = ScratchDirectory()
  let (run, control) = try controlledRun(scratch)
  try append(#"{"id": 1, "command": "stop"}"# + "\n", to: run)
  try control.refuseRemaining(step: 40, status: .completed)
  let events = try answers(run)
  #expect(events.count == 1)
  #expect(events.first?["result"] as? String == "refused")
  #expect(events.first?["reason"] as? String == "the run has ended (completed)")
  #expect(events.first?["step"] as? Int == 40)
}

@Test func aControlFileOthersCanWriteIsRefusedOnceAndTrainingGoesOn() throws {
  let scratch = ScratchDirectory()
  let (run, control) = try controlledRun(scratch)
  let path = run.url.appendingPathComponent("control.jsonl").path
  #expect(chmod(path, 0o666) == 0)
  try append(#"{"id": 1, "command": "stop"}"# + "\n", to: run)
  var commands: [TrainerCommand] = []
  try control.poll(step: 5, into: &commands)
  try append(#"{"id": 2, "command": "stop"}"# + "\n", to: run)
  try control.poll(step: 6, into: &commands)
  #expect(commands.isEmpty)
  let events = try String(contentsOf: run.url.appendingPathComponent("events.jsonl"), encoding: .utf8)
    .split(separator: "\n")
  #expect(events.count == 1)
  #expect(events[0].contains(#""event":"control_refused""#))
  #expect(events[0].contains("writable by other users (mode 0666)"))
}

// Only root can give a file away to another user.
@Test(.enabled(if: geteuid() == 0)) func aControlFileOwnedByAnotherUserIsRefusedWhenTheRunResumes() throws {
  let scratch = ScratchDirectory()
  let run = try RunDirectory(root: scratch.url, name: "resumed")
  let path = run.url.appendingPathComponent("control.jsonl").path
  #expect(
    FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o600]))
  #expect(chown(path, 4242, 4242) == 0)
  let control = try RunControl(directory: run, groups: ["head"], step: 12, checkInterval: .zero)
  try append(#"{"id": 1, "command": "stop"}"# + "\n", to: run)
  var commands: [TrainerCommand] = []
  try control.poll(step: 13, into: &commands)
  #expect(commands.isEmpty)
  let events = try String(contentsOf: run.url.appendingPathComponent("events.jsonl"), encoding: .utf8)
  #expect(events.contains("owned by uid 4242, not by this run's user"))
  #expect(events.split(separator: "\n").count == 1)
}

@Test func aSenderNumbersCommandsAndReadsTheAnswer() throws {
  let scratch = ScratchDirectory()
  let (run, control) = try controlledRun(scratch)
  let sender = ControlSender(run: run.url, sender: "test")
  let first = try sender.send(.set(key: "dropout", value: 0.25))
  let second = try sender.send(.unfreeze(group: "head"))
  #expect(first.id == 1 && second.id == 2)
  var commands: [TrainerCommand] = []
  try control.poll(step: 21, into: &commands)
  #expect(commands == [.setDropout(0.25), .setFrozen(group: "head", frozen: false)])
  let lines = try String(contentsOf: run.url.appendingPathComponent("events.jsonl"), encoding: .utf8)
    .split(separator: "\n").map(String.init)
  #expect(lines.compactMap { ControlAnswer.parse(eventLine: $0, id: 2) } == [.applied(step: 21)])
}

@Test func stepsAreWrittenAtMostEveryIntervalAndForTheLastStep() throws {
  let scratch = ScratchDirectory()
  // Time in milliseconds, so the arithmetic is exact.
  var time = 0.0
  let log = try StepLog(run: scratch.url, groups: ["hidden1", "head"], interval: 50, now: { time })
  // 1000 steps of 1 ms each, in epochs of 3 steps (333 epochs a second); hidden1 is frozen.
  func trainable(_ group: String) -> Bool { group == "head" }
  for step in 1...1000 {
    time += 1
    let metrics = StepMetrics(
      step: step, epoch: (step - 1) / 3 + 1, loss: Double(step), accuracy: 0, learningRate: 0.01,
      gradientNorm: 2, gradientNorms: ["hidden1": 0, "head": 1.5], samplesPerSecond: 0)
    try log.record(metrics, correct: step % 2, count: 1, isTrainable: trainable)
  }
  try log.flush(isTrainable: trainable)
  try log.flush(isTrainable: trainable)
  let lines = try String(contentsOf: scratch.url.appendingPathComponent("steps.csv"), encoding: .utf8)
    .split(separator: "\n").map(String.init)
  #expect(lines[0] == "step,epoch,loss,accuracy,learning_rate,grad_norm,grad_norm/hidden1,grad_norm/head")
  let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
  let steps = rows.map { Int($0[0])! }
  // The first step, one row per 50 ms of wall time however short the epochs, and the last step once.
  #expect(steps.count == 1000 / 50 + 1)
  #expect(steps.first == 1 && steps.last == 1000)
  #expect(zip(steps, steps.dropFirst()).dropLast().allSatisfy { $1 - $0 == 50 })
  // Loss is the mean since the previous row: steps 2…51 average 26.5.
  #expect(steps[1] == 51 && Double(rows[1][2]) == 26.5)
  #expect(Double(rows[1][3]) == 0.5, "accuracy too is the mean since the previous row")
  #expect(rows.allSatisfy { $0[6].isEmpty && $0[7] == "1.5" }, "a frozen group's norm is empty")
}

@Test func aRunWritesStepsAndRewritesGroupsWhenOneUnfreezes() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=2", "train_samples=40", "batch_size=8", "frozen=hidden1", "unfreeze_every=1",
    "early_stopping_patience=0",
  ])
  let run = try RunDirectory(root: scratch.url, name: "groups", hyperParameters: hp)
  let summary = Trainer(try PreparedRun.prepare(hp), directory: run).runOnThisThread()
  #expect(summary.status == .completed)
  let groups = try #require(GroupsFile.read(run: run.url))
  #expect(groups.format == 1)
  #expect(groups.groups.map(\.name).last == "head")
  // Gradual unfreezing starts with every group below the head frozen and unfreezes top-down.
  #expect(groups.groups.map(\.trainable) == [false, true, true], "hidden2 was unfrozen by the schedule")
  let epochOne = try #require(try MetricsFile.read(run: run.url).first { $0.epoch == 1 })
  #expect(groups.step == epochOne.step, "rewritten when epoch 2 began")
  #expect(groups.groups.allSatisfy { $0.parameters > 0 && $0.learningRateMultiplier == 1 })
  let steps = try String(contentsOf: run.url.appendingPathComponent("steps.csv"), encoding: .utf8)
    .split(separator: "\n")
  #expect(steps[0].hasPrefix("step,epoch,loss,accuracy,learning_rate,grad_norm,grad_norm/hidden1"))
  #expect(steps.last?.hasPrefix("\(summary.steps),2,") == true, "the run's last step always has a row")
  #expect(FileManager.default.fileExists(atPath: run.url.appendingPathComponent("control.jsonl").path))
}
