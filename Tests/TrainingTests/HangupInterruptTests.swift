import Foundation
import Testing

@testable import Training

/// `.interruptAtEpochEnd` is what a dropped SSH session (SIGHUP) sends: finish the epoch, save it, stop.
@Test func interruptAtEpochEndFinishesTheEpochAndSavesIt() throws {
  let scratch = ScratchDirectory()
  // 200 samples in batches of 8: 25 steps an epoch, so stopping mid-epoch could not pass for the end.
  let hp = try settings(["epochs=50", "train_samples=200", "batch_size=8", "early_stopping_patience=0"])
  let directory = try RunDirectory(root: scratch.url, name: "hangup")
  let path = directory.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  // Queued before the first batch, so the run must stop after exactly one epoch.
  trainer.send(.interruptAtEpochEnd(reason: "the terminal closed (SIGHUP)"))
  let summary = trainer.runOnThisThread()

  #expect(summary.status == .interrupted)
  #expect(summary.epochsRun == 1)
  #expect(summary.steps == 25)
  #expect(summary.reason?.contains("the terminal closed (SIGHUP)") == true)
  #expect(summary.reason?.contains("after epoch 1") == true)
  let saved = try RunDirectory(existing: path).readSummary()
  #expect(saved.status == .interrupted)
  #expect(saved.reason == summary.reason)
  let last = try SafeTensors.read(from: path.appendingPathComponent("last.safetensors"))
  #expect(last.metadata["step"] == "25")
  #expect(last.metadata["epoch"] == "1")
  let metrics = try String(contentsOf: path.appendingPathComponent("metrics.csv"), encoding: .utf8)
  #expect(metrics.split(separator: "\n").count == 3)  // header, epoch 0, epoch 1
  let events = try String(contentsOf: path.appendingPathComponent("events.jsonl"), encoding: .utf8)
  #expect(events.contains("\"event\":\"interrupt\""))
  #expect(events.contains("SIGHUP"))
  // The interrupted run can be continued like any other.
  let resumable = try ResumableRun.open(path)
  #expect(resumable.state.epochsRun == 1)
}

@Test func interruptAtEpochEndWhilePausedStopsAtOnce() throws {
  let hp = try settings(["epochs=5", "train_samples=64", "early_stopping_patience=0"])
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  trainer.send(.pause)
  trainer.send(.interruptAtEpochEnd(reason: "hangup"))
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .interrupted)
  #expect(summary.steps == 0)
  #expect(summary.reason?.contains("while paused") == true)
}

@Test func interruptAtEpochEndInTheLastEpochCompletesTheRun() throws {
  let hp = try settings(["epochs=1", "warmup_epochs=0", "train_samples=64", "early_stopping_patience=0"])
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  trainer.send(.interruptAtEpochEnd(reason: "hangup"))
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .completed)
  #expect(summary.epochsRun == 1)
}
