import Foundation
import Testing

@testable import Training

/// Metrics rows without the wall-clock column, which is the only thing allowed to differ.
private func metricsWithoutTime(_ run: URL) throws -> [String] {
  try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
}

private func weights(_ run: URL) throws -> [String: [UInt32]] {
  let file = try SafeTensors.read(from: run.appendingPathComponent("last.safetensors"))
  return Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
}

/// Starts a run, stops it after `stopAfterEpoch` epochs (somewhere inside the next epoch), and
/// returns its directory.
private func runAndStop(_ hp: HyperParameters, root: URL, stopAfterEpoch: Int) throws -> URL {
  let directory = try RunDirectory(root: root, name: "stopped", hyperParameters: hp)
  let url = directory.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  trainer.start()
  var stopped = false
  while trainer.summary == nil {
    for event in trainer.drainEvents() {
      if case .step(let step) = event, !stopped, step.epoch > stopAfterEpoch {
        trainer.send(.stop)
        stopped = true
      }
    }
    Thread.sleep(forTimeInterval: 0.001)
  }
  #expect(trainer.summary?.status == .stopped)
  return url
}

@Test(arguments: ["plateau", "cosine"])
func resumedRunIsBitIdenticalToAnUninterruptedOne(schedule: String) throws {
  let scratch = ScratchDirectory()
  // Dropout, gradual unfreezing and a history-driven schedule all carry state across the stop.
  let hp = try settings([
    "epochs=8", "train_samples=64", "batch_size=8", "dropout=0.2", "unfreeze_every=2",
    "schedule=\(schedule)", "step_size=1", "early_stopping_patience=0", "seed=7",
  ])
  let whole = try RunDirectory(root: scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread().status == .completed)

  let stoppedURL = try runAndStop(hp, root: scratch.url, stopAfterEpoch: 4)
  let resumable = try ResumableRun.open(stoppedURL)
  #expect(resumable.state.epochsRun >= 4 && resumable.state.epochsRun < 8)
  let summary = Trainer(resuming: resumable).runOnThisThread()
  #expect(summary.status == .completed)
  #expect(summary.epochsRun == 8)

  #expect(try weights(stoppedURL) == weights(wholeURL))
  #expect(try metricsWithoutTime(stoppedURL) == metricsWithoutTime(wholeURL))
  let best = try SafeTensors.read(from: stoppedURL.appendingPathComponent("best.safetensors"))
  let wholeBest = try SafeTensors.read(from: wholeURL.appendingPathComponent("best.safetensors"))
  #expect(best.tensors == wholeBest.tensors)
}

@Test func finishedRunCannotBeResumed() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=2", "train_samples=16"])
  let directory = try RunDirectory(root: scratch.url, name: "done", hyperParameters: hp)
  let url = directory.url
  _ = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()
  let error = #expect(throws: RunDirectoryError.self) { try ResumableRun.open(url) }
  #expect(error?.description.contains("ended completed") == true)
}

@Test func weightsAndStateFromDifferentStepsAreRefused() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=30", "train_samples=64", "batch_size=8", "early_stopping_patience=0"])
  let url = try runAndStop(hp, root: scratch.url, stopAfterEpoch: 1)
  // Simulate a kill between writing the state and the weights: weights from another step.
  let last = url.appendingPathComponent("last.safetensors")
  let file = try SafeTensors.read(from: last)
  var metadata = file.metadata
  metadata["step"] = "1"
  try SafeTensors.write(file.tensors, metadata: metadata, to: last)
  let error = #expect(throws: CheckpointMismatchError.self) { try ResumableRun.open(url) }
  #expect(error?.description.contains("killed while saving") == true)
}

@Test func locatorFindsRunsByUniquePartOfTheName() throws {
  let scratch = ScratchDirectory()
  let first = try RunDirectory(root: scratch.url, name: "lr3e-3")
  _ = try RunDirectory(root: scratch.url, name: "lr1e-4")
  let locator = RunLocator(runs: scratch.url)
  #expect(try locator.locate("3e-3").path == first.url.path)
  #expect(try locator.locate(first.url.path).path == first.url.path)
  #expect(throws: RunDirectoryError.self) { try locator.locate("lr") }
  #expect(throws: RunDirectoryError.self) { try locator.locate("nothing") }
}

@Test func aResumedRunWithGradientAccumulationIsBitIdentical() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=5", "train_samples=64", "batch_size=4", "grad_accum_steps=3", "dropout=0.2",
    "early_stopping_patience=0", "seed=11",
  ])
  let whole = try RunDirectory(root: scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread().status == .completed)
  let stoppedURL = try runAndStop(hp, root: scratch.url, stopAfterEpoch: 2)
  let resumable = try ResumableRun.open(stoppedURL)
  // Stopped between optimizer steps, never inside an accumulation.
  #expect(resumable.state.progress.nextIndex % 12 == 0)
  #expect(Trainer(resuming: resumable).runOnThisThread().status == .completed)
  #expect(try weights(stoppedURL) == weights(wholeURL))
  #expect(try metricsWithoutTime(stoppedURL) == metricsWithoutTime(wholeURL))
}
