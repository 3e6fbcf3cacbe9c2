import Foundation
import Testing

@testable import Training

private func epoch(_ number: Int, loss: Double, accuracy: Double, macroF1: Double? = nil) -> EpochMetrics {
  // A 2-class matrix whose macro-F1 is what the test asks for is not needed: only the value matters,
  // so a matrix with that F1 is found among small ones.
  var classes: ClassMetrics?
  if let macroF1 {
    classes = (0...20).lazy.flatMap { a in (0...20).lazy.map { b in (a, b) } }
      .map { ClassMetrics(confusion: ConfusionMatrix(rows: [[$0.0, 20 - $0.0], [$0.1, 20 - $0.1]])) }
      .first { abs($0.macroF1 - macroF1) < 0.02 }
  }
  return EpochMetrics(
    epoch: number, step: number, trainLoss: 1, trainAccuracy: 0.5, validationLoss: loss,
    validationAccuracy: accuracy, learningRate: 0.1, seconds: 0, isBest: false, classes: classes)
}

@Test func monitorComparesInItsOwnDirection() {
  let worse = epoch(1, loss: 0.5, accuracy: 0.7, macroF1: 0.5)
  let better = epoch(2, loss: 0.6, accuracy: 0.8, macroF1: 0.7)
  #expect(MonitoredMetric.validationLoss.isBetter(worse, than: better))
  #expect(!MonitoredMetric.validationLoss.isBetter(better, than: worse))
  #expect(MonitoredMetric.validationAccuracy.isBetter(better, than: worse))
  #expect(!MonitoredMetric.validationAccuracy.isBetter(worse, than: better))
  #expect(MonitoredMetric.validationMacroF1.isBetter(better, than: worse))
  // A tie is no improvement, and an epoch without per-class metrics never beats one with them.
  #expect(!MonitoredMetric.validationAccuracy.isBetter(better, than: better))
  #expect(!MonitoredMetric.validationMacroF1.isBetter(epoch(3, loss: 0, accuracy: 1), than: worse))
  #expect(MonitoredMetric.validationMacroF1.isBetter(worse, than: nil))
}

@Test func earlyStoppingOnAccuracyWaitsForAHigherValue() {
  var stopping = EarlyStopping(patience: 2, minDelta: 0.05)
  let monitor = MonitoredMetric.validationAccuracy
  let accuracies = [0.5, 0.6, 0.64, 0.645]
  let decisions = accuracies.enumerated().map {
    stopping.observe(
      score: monitor.score(of: epoch($0.offset, loss: 1, accuracy: $0.element)), epoch: $0.offset)
  }
  // 0.64 and 0.645 are within min_delta of 0.6; patience 2 stops at the second of them.
  #expect(decisions[0] == .improved && decisions[1] == .improved)
  #expect(decisions[2] == .waited(1) && decisions[3] == .stop)
  #expect(stopping.bestEpoch == 1)
}

/// Column `name` of `metrics.csv`, one value per evaluation.
private func column(_ name: String, of run: URL) throws -> [Double] {
  let lines = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
  let index = try #require(lines[0].firstIndex(of: name))
  return lines.dropFirst().map { Double($0[index])! }
}

@Test(arguments: ["val_loss", "val_accuracy", "val_macro_f1"])
func monitorChoosesTheBestEpochAndWhenToStop(name: String) throws {
  let monitor = try #require(MonitoredMetric(rawValue: name))
  let scratch = ScratchDirectory()
  // A tiny train set and a high rate overfit quickly, so each monitor peaks and then stops improving.
  let hp = try settings([
    "epochs=60", "train_samples=40", "batch_size=8", "learning_rate=3e-3", "early_stopping_patience=4",
    "monitor=\(monitor.rawValue)", "seed=3",
  ])
  let directory = try RunDirectory(root: scratch.url, name: "monitor", hyperParameters: hp)
  let run = directory.url
  let summary = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()
  #expect(summary.monitor == monitor)
  let values: [Double]
  switch monitor {
  case .validationLoss: values = try column("val_loss", of: run).map { -$0 }
  case .validationAccuracy: values = try column("val_accuracy", of: run)
  case .validationMacroF1:
    values = try #require(try ClassMetricsFile.read(runDirectory: run)).epochs.map(\.metrics.macroF1)
  }
  // The best epoch is the first with the highest value (lowest loss), and, with min_delta 0, the
  // run stops exactly `patience` evaluations after it.
  let best = values.indices.first { values[$0] == values.max() }!
  #expect(summary.bestEpoch == best)
  #expect(summary.status == .earlyStopped)
  #expect(summary.epochsRun == best + 4)
  let saved = try SafeTensors.read(from: run.appendingPathComponent("best.safetensors"))
  #expect(saved.metadata["epoch"] == String(best))
  let bestClasses = try #require(summary.bestClasses)
  let fromFile = try #require(try ClassMetricsFile.read(runDirectory: run)).epochs[best]
  #expect(bestClasses == BestClassMetrics(fromFile.metrics, labels: .numbered(10)))
}

@Test func resumedRunFollowsTheSameMonitor() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=60", "train_samples=40", "batch_size=8", "learning_rate=3e-3", "early_stopping_patience=4",
    "monitor=val_macro_f1", "seed=3", "schedule=constant",
  ])
  let whole = try RunDirectory(root: scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  let wholeSummary = Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread()
  #expect(wholeSummary.status == .earlyStopped)

  // The same run stopped after epoch 2 and resumed must stop at the same epoch with the same best.
  let stopped = try RunDirectory(root: scratch.url, name: "stopped", hyperParameters: hp)
  let stoppedURL = stopped.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: stopped)
  trainer.start()
  var sent = false
  while trainer.summary == nil {
    for event in trainer.drainEvents() {
      if case .step(let step) = event, !sent, step.epoch > 2 {
        trainer.send(.stop)
        sent = true
      }
    }
    Thread.sleep(forTimeInterval: 0.001)
  }
  let resumed = Trainer(resuming: try ResumableRun.open(stoppedURL)).runOnThisThread()
  #expect(resumed.status == .earlyStopped)
  #expect(resumed.epochsRun == wholeSummary.epochsRun)
  #expect(resumed.bestEpoch == wholeSummary.bestEpoch)
  #expect(
    try ClassMetricsFile.read(runDirectory: stoppedURL)?.epochs
      == ClassMetricsFile.read(runDirectory: wholeURL)?.epochs)
}
