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

/// The real Trainer on the built-in task, for comparison: its loop also publishes a StepMetrics
/// event per step (with a per-group norm dictionary) and evaluates/records at every epoch end, so
/// this counts everything a run allocates, divided by its steps.
func trainerAllocationRow() {
  do {
    var settings = HyperParameters()
    settings.earlyStoppingPatience = 0
    let prepared = try PreparedRun.prepare(settings)
    let trainer = Trainer(prepared, directory: nil)
    let before = tt_allocation_count()
    let summary = trainer.runOnThisThread()
    let allocations = tt_allocation_count() - before
    emit(
      json([
        ("bench", "alloc"), ("model", "builtin-default (Trainer, whole run)"), ("batch", settings.batchSize),
        ("dropout", settings.dropout), ("steps", summary.steps), ("allocations", allocations),
        ("allocations_per_step", Double(allocations) / Double(max(1, summary.steps))),
      ]))
  } catch {
    emit(json([("bench", "alloc"), ("error", "\(error)")]))
  }
}
