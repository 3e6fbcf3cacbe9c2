import Foundation
import Testing

@testable import Training

@Test func followingAFinishedRunGivesTheEventsItsTrainerPublished() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=2", "train_samples=40", "batch_size=8", "frozen=hidden1", "unfreeze_every=1",
  ])
  let run = try RunDirectory(root: scratch.url, name: "followed", hyperParameters: hp)
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: run)
  let summary = trainer.runOnThisThread()
  let published = trainer.drainEvents()

  let follower = RunFollower(run: run.url)
  let events = follower.poll().events
  guard case .started(let start) = events.first else {
    Issue.record("the first event is not .started: \(String(describing: events.first))")
    return
  }
  #expect(start.groups == ["hidden1", "hidden2", "head"])
  #expect(
    start.frozen == ["hidden1", "hidden2"], "as the run began; gradual unfreezing freezes all but the head")
  #expect(start.hyperParameters == hp)
  #expect(start.stepsPerEpoch == summary.steps / 2)
  let epochs = events.compactMap { if case .epoch(let metrics) = $0 { metrics } else { nil } }
  let publishedEpochs = published.compactMap { if case .epoch(let metrics) = $0 { metrics } else { nil } }
  #expect(epochs.map(\.epoch) == publishedEpochs.map(\.epoch))
  #expect(epochs.map(\.step) == publishedEpochs.map(\.step))
  let steps = events.compactMap { if case .step(let metrics) = $0 { metrics } else { nil } }
  #expect(steps.last?.step == summary.steps)
  #expect(steps.allSatisfy { $0.gradientNorms.names == ["hidden1", "hidden2", "head"] })
  let unfreezing = events.compactMap { event -> String? in
    if case .hotEdit(.freeze(let group, false, true), _) = event { group } else { nil }
  }
  #expect(unfreezing == ["hidden2"], "the scheduled unfreezing, once")
  #expect(events.suffix(2).first == .statusChanged(.completed))
  guard case .finished(let read) = events.last else {
    Issue.record("the follow did not end with .finished")
    return
  }
  #expect(read.status == summary.status && read.epochsRun == summary.epochsRun && read.steps == summary.steps)
  #expect(follower.isFinished)
  #expect(follower.poll().isEmpty, "nothing is read twice")
}

@Test func aFollowerReadsOnlyCompleteNewLines() throws {
  let scratch = ScratchDirectory()
  let run = try RunDirectory(root: scratch.url, name: "growing")
  try run.writeSummary(RunSummary(status: .running, writer: .current))
  let steps = run.url.appendingPathComponent("steps.csv")
  try "step,epoch,loss,accuracy,learning_rate,grad_norm,grad_norm/head\n1,1,0.9,,0.01,2,2\n2,1,0.8"
    .write(to: steps, atomically: false, encoding: .utf8)
  let follower = RunFollower(run: run.url)
  func stepNumbers(_ update: RunFollower.Update) -> [Int] {
    update.events.compactMap { if case .step(let metrics) = $0 { metrics.step } else { nil } }
  }
  let first = follower.poll()
  #expect(stepNumbers(first) == [1], "the torn row of step 2 waits")
  let handle = try FileHandle(forWritingTo: steps)
  try handle.seekToEnd()
  try handle.write(contentsOf: Data(",,0.01,1.5,1.5\n3,1,0.7,,0.01,1,1\n".utf8))
  try handle.close()
  let second = follower.poll()
  #expect(stepNumbers(second) == [2, 3])
  let row = second.events.compactMap { if case .step(let metrics) = $0 { metrics } else { nil } }[0]
  #expect(row.loss == 0.8 && row.accuracy.isNaN && row.gradientNorms["head"] == 1.5)
  try run.appendEvent("hot_edit", step: 3, fields: ["key": .text("dropout"), "value": .number(0.2)])
  try run.appendEvent(
    "command", step: 3, fields: ["id": .integer(4), "command": .text("set"), "result": .text("applied")])
  let third = follower.poll()
  #expect(third.events == [.hotEdit(.dropout(0.2), step: 3)])
  #expect(third.answers == [4: .applied(step: 3)])
  #expect(!follower.isFinished)
}

@Test func aRunWhoseWriterDiedEndsTheFollow() throws {
  let scratch = ScratchDirectory()
  let run = try RunDirectory(root: scratch.url, name: "orphan")
  let gone = RunWriter(pid: Int32.max - 1, started: nil, host: RunWriter.current.host)
  try run.writeSummary(RunSummary(status: .running, writer: gone))
  let events = RunFollower(run: run.url).poll().events
  guard case .finished(let summary) = events.last else {
    Issue.record("the follow did not end: \(events)")
    return
  }
  #expect(summary.status == .interrupted)
  #expect(summary.reason?.contains("is gone") == true)
}

@Test func aFinishedPyTorchRunIsFollowedFromItsFiles() throws {
  let run = try #require(
    Bundle.module.url(forResource: "foreign-runs", withExtension: nil, subdirectory: "Fixtures")
  )
  .appendingPathComponent("20261130-030000-pytorch-demo")
  let events = RunFollower(run: run).poll().events
  let epochs = events.compactMap { if case .epoch(let metrics) = $0 { metrics.epoch } else { nil } }
  #expect(epochs == [1, 2, 3], "no epoch 0, and the torn row waits")
  guard case .started(let start) = events.first, case .finished(let summary) = events.last else {
    Issue.record("not started then finished: \(events)")
    return
  }
  #expect(start.groups.isEmpty, "this run wrote no groups.json")
  #expect(start.totalSteps == 150, "no start event to count steps from: the summary's steps")
  #expect(summary.source == "pytorch" && summary.status == .completed)
}
