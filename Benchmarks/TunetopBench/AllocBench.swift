// `tunetop-bench alloc`: heap allocations per training step once warm, which should be 0.
//
// Counted by the AllocCounter target, which interposes malloc and friends for this executable.
// The step is TrainHarness.step (the trainer's step without event publishing), on the synthetic
// models of `train`, with dropout on and off.

import AllocCounter
import Foundation
import Training

func runAlloc() {
  trainerAllocationRow()
  // Products ≥ 2^24 multiply-adds use the GEMM worker thread here (default threading), so the
  // hand-off is counted too.
  for width in [64, 256, 1024] {
    for dropout: Float in [0, 0.1] {
      for batch in [32, 256] {
        let harness = TrainHarness(TrainCase(width: width, batch: batch))
        harness.model.dropout = dropout
        for _ in 0..<5 { _ = harness.step() }
        let steps = 50
        let before = tt_allocation_count()
        for _ in 0..<steps { _ = harness.step() }
        let allocations = tt_allocation_count() - before
        emit(
          json([
            ("bench", "alloc"), ("model", TrainCase(width: width, batch: batch).name), ("batch", batch),
            ("dropout", Double(dropout)), ("steps", steps), ("allocations", allocations),
            ("allocations_per_step", Double(allocations) / Double(steps)),
            ("counting", before >= 0 ? "glibc-interposed" : "unavailable"),
          ]))
      }
    }
  }
}

/// The real Trainer on the built-in task: its loop also publishes a StepMetrics event per step and
/// evaluates and records at every epoch end. One row counts everything a whole run allocates,
/// divided by its steps; the other isolates a step: two runs of the same 40 epochs, one with four
/// times the training samples (each validation set still one evaluation batch), differ only in
/// their steps, so the difference in allocations over the difference in steps is what a step costs.
func trainerAllocationRow() {
  do {
    func run(trainSamples: Int) throws -> (allocations: Int, steps: Int, settings: HyperParameters) {
      var settings = HyperParameters()
      settings.earlyStoppingPatience = 0
      settings.trainSamples = trainSamples
      let prepared = try PreparedRun.prepare(settings)
      let trainer = Trainer(prepared, directory: nil)
      let before = tt_allocation_count()
      let summary = trainer.runOnThisThread()
      return (tt_allocation_count() - before, summary.steps, settings)
    }
    // The first run in a process also pays one-time costs (lazy globals, the GEMM worker).
    _ = try run(trainSamples: HyperParameters().trainSamples)
    let small = try run(trainSamples: HyperParameters().trainSamples)
    let large = try run(trainSamples: 4 * HyperParameters().trainSamples)
    emit(
      json([
        ("bench", "alloc"), ("model", "builtin-default (Trainer, whole run)"),
        ("batch", small.settings.batchSize),
        ("dropout", small.settings.dropout), ("steps", small.steps), ("allocations", small.allocations),
        ("allocations_per_step", Double(small.allocations) / Double(max(1, small.steps))),
      ]))
    let extraSteps = large.steps - small.steps
    emit(
      json([
        ("bench", "alloc"), ("model", "builtin-default (Trainer, per step: 4× the samples, same epochs)"),
        ("batch", small.settings.batchSize), ("dropout", small.settings.dropout), ("steps", extraSteps),
        ("allocations", large.allocations - small.allocations),
        ("allocations_per_step", Double(large.allocations - small.allocations) / Double(max(1, extraSteps))),
      ]))
  } catch {
    emit(json([("bench", "alloc"), ("error", "\(error)")]))
  }
  trainerWithRunDirectoryAllocationRow()
}

/// What the run-directory hooks cost a step: `RunControl.poll` (an `fstat` at every call here, as
/// if every step boundary were 5 ms apart) and `StepLog.record`, counted directly over many calls,
/// once with no `steps.csv` row due (must be 0) and once with a row at every step. A whole run with a
/// directory cannot isolate them: its epoch-level writes (checkpoints kept when validation improves)
/// differ between runs by more than the steps do.
func trainerWithRunDirectoryAllocationRow() {
  do {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-bench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: root) }
    let directory = try RunDirectory(root: root, name: "alloc")
    let groups = ["hidden1", "hidden2", "head"]
    let control = try RunControl(directory: directory, groups: groups, step: 0, checkInterval: .zero)
    let metrics = StepMetrics(
      step: 1, epoch: 1, loss: 0.5, accuracy: 0.5, learningRate: 1e-3, gradientNorm: 1,
      gradientNorms: ["hidden1": 1, "hidden2": 1, "head": 1], samplesPerSecond: 0)
    for (label, interval, steps) in [("no row due", 1e9, 100_000), ("a row every step", 0.0, 2_000)] {
      let log = try StepLog(run: directory.url, groups: groups, interval: interval)
      var commands: [TrainerCommand] = []
      commands.reserveCapacity(4)
      try log.record(metrics, correct: 8, count: 16, isTrainable: { _ in true })
      let before = tt_allocation_count()
      for _ in 0..<steps {
        try control.poll(step: 1, into: &commands)
        try log.record(metrics, correct: 8, count: 16, isTrainable: { _ in true })
      }
      let allocations = tt_allocation_count() - before
      emit(
        json([
          ("bench", "alloc"), ("model", "run-directory hooks per step (control poll + steps.csv, \(label))"),
          ("steps", steps), ("allocations", allocations),
          ("allocations_per_step", Double(allocations) / Double(steps)),
        ]))
    }
  } catch {
    emit(json([("bench", "alloc"), ("error", "\(error)")]))
  }
}
