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

/// The same per-step difference with a run directory, so `control.jsonl` is checked at every step
/// boundary and `steps.csv` gets its rate-limited rows; the rows written are reported beside the
/// allocations, since a due row allocates (formatting, one append) and a step without one must not.
func trainerWithRunDirectoryAllocationRow() {
  do {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-bench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: root) }
    func run(trainSamples: Int) throws -> (allocations: Int, steps: Int, rows: Int) {
      var settings = HyperParameters()
      settings.earlyStoppingPatience = 0
      settings.trainSamples = trainSamples
      let prepared = try PreparedRun.prepare(settings)
      let directory = try RunDirectory(root: root, name: "alloc")
      let trainer = Trainer(prepared, directory: directory)
      let before = tt_allocation_count()
      let summary = trainer.runOnThisThread()
      let allocations = tt_allocation_count() - before
      let rows =
        try String(contentsOf: directory.url.appendingPathComponent("steps.csv"), encoding: .utf8)
        .split(separator: "\n").count - 1
      return (allocations, summary.steps, rows)
    }
    _ = try run(trainSamples: HyperParameters().trainSamples)
    let small = try run(trainSamples: HyperParameters().trainSamples)
    let large = try run(trainSamples: 4 * HyperParameters().trainSamples)
    let extraSteps = large.steps - small.steps
    emit(
      json([
        ("bench", "alloc"),
        ("model", "builtin-default (Trainer with a run directory, per step: 4× the samples, same epochs)"),
        ("steps", extraSteps), ("allocations", large.allocations - small.allocations),
        ("allocations_per_step", Double(large.allocations - small.allocations) / Double(max(1, extraSteps))),
        ("steps_csv_rows", large.rows - small.rows),
      ]))
  } catch {
    emit(json([("bench", "alloc"), ("error", "\(error)")]))
  }
}
