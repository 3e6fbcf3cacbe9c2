import Foundation
import Testing

@testable import Training

/// The `epoch` and `step` cells of every `metrics.csv` row.
private func evaluationCells(_ run: URL) throws -> [(epoch: String, step: Int)] {
  try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    .split(separator: "\n").dropFirst().map {
      let cells = $0.split(separator: ",", omittingEmptySubsequences: false)
      return (String(cells[0]), Int(cells[1])!)
    }
}

/// Metrics rows without the wall-clock column, which is the only thing allowed to differ.
private func metricsWithoutTime(_ run: URL) throws -> [String] {
  try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
}

private func text(_ run: URL, _ file: String) throws -> String {
  try String(contentsOf: run.appendingPathComponent(file), encoding: .utf8)
}

private func weights(_ run: URL, _ file: String = "last.safetensors") throws -> [String: [UInt32]] {
  let stored = try SafeTensors.read(from: run.appendingPathComponent(file))
  return Dictionary(uniqueKeysWithValues: stored.tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
}

/// Every N-th optimizer step of the run, counted across epochs, plus every epoch's end; the
/// model before training first. Written independently of the trainer's own rule.
private func expectedSteps(stepsPerEpoch: Int, epochs: Int, every: Int) -> [Int] {
  let total = stepsPerEpoch * epochs
  let ends = Set((0...epochs).map { $0 * stepsPerEpoch })
  let periodic = every > 0 ? Set(stride(from: every, through: total, by: every)) : []
  return ends.union(periodic).sorted()
}

@Test(
  arguments: [
    // (train_samples, batch_size, grad_accum_steps, eval_every_steps, epochs)
    (64, 8, 1, 3, 3),  // 7 steps an epoch with a 30% validation split: epochs not a multiple of 3
    (64, 4, 3, 2, 3),  // accumulation: a step is 3 batches
    (64, 8, 1, 1, 2),  // every step
    (64, 8, 2, 100, 2),  // longer than the run: epoch ends only
    (64, 8, 1, 0, 2),  // off
  ])
func evaluationsHappenEveryNOptimizerSteps(
  samples: Int, batch: Int, accumulation: Int, every: Int, epochs: Int
) throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "train_samples=\(samples)", "batch_size=\(batch)", "grad_accum_steps=\(accumulation)",
    "eval_every_steps=\(every)", "epochs=\(epochs)", "early_stopping_patience=0",
  ])
  let prepared = try PreparedRun.prepare(hp)
  let stepsPerEpoch = hp.stepsPerEpoch(trainSamples: prepared.train.count)
  let directory = try RunDirectory(root: scratch.url, name: "eval", hyperParameters: hp)
  let trainer = Trainer(prepared, directory: directory)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .completed)
  #expect(summary.steps == stepsPerEpoch * epochs)

  let rows = try evaluationCells(directory.url)
  let expected = expectedSteps(stepsPerEpoch: stepsPerEpoch, epochs: epochs, every: every)
  #expect(rows.map(\.step) == expected)
  // The epoch cell: whole at an epoch's end, else completed epochs + the share of the next one.
  for row in rows {
    let completed = row.step / stepsPerEpoch
    let into = row.step % stepsPerEpoch
    if into == 0 {
      #expect(row.epoch == String(completed))
    } else {
      let value = try #require(Double(row.epoch))
      #expect(value > Double(completed) && value < Double(completed + 1))
      #expect(abs(value - (Double(completed) + Double(into) / Double(stepsPerEpoch))) < 0.01)
    }
  }
  // The dashboard hears of each evaluation as the file has it.
  let published = trainer.drainEvents().compactMap { event -> EpochMetrics? in
    if case .epoch(let metrics) = event { metrics } else { nil }
  }
  #expect(published.map(\.step) == expected)
  #expect(published.map(\.epochText) == rows.map(\.epoch))
  #expect(published.filter(\.isEpochEnd).map(\.epoch) == Array(0...epochs))
  // classes.csv: one evaluation per metrics row, with the same epoch cell.
  let classes = try #require(try ClassMetricsFile.read(runDirectory: directory.url))
  #expect(classes.epochs.map(\.position) == published.map(\.position))
  #expect(classes.epochs.map(\.metrics.macroF1) == published.map { $0.classes!.macroF1 })
  // The reader gives back what the trainer published.
  let read = try MetricsFile.read(run: directory.url)
  #expect(read.map(\.position) == published.map(\.position))
  #expect(read.map(\.epoch) == published.map(\.epoch))
  #expect(read.map(\.midEpoch) == published.map(\.midEpoch))
}

@Test func evaluatingMidEpochLeavesTrainingUntouched() throws {
  // Evaluation runs the model without dropout and draws no random numbers: the weights after the
  // run are the same bits with or without mid-epoch evaluations.
  let scratch = ScratchDirectory()
  var urls: [URL] = []
  for every in [0, 2] {
    let hp = try settings([
      "epochs=3", "train_samples=64", "batch_size=8", "dropout=0.2", "eval_every_steps=\(every)",
      "early_stopping_patience=0", "seed=5",
    ])
    let directory = try RunDirectory(root: scratch.url, name: "e\(every)", hyperParameters: hp)
    urls.append(directory.url)
    #expect(Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread().status == .completed)
  }
  #expect(try weights(urls[0]) == weights(urls[1]))
  // The epoch ends' validation is the same too; only the train columns differ (they cover the
  // steps since the previous evaluation).
  let plain = try MetricsFile.read(run: urls[0])
  let frequent = try MetricsFile.read(run: urls[1]).filter(\.isEpochEnd)
  #expect(plain.map(\.validationLoss) == frequent.map(\.validationLoss))
  #expect(plain.map(\.step) == frequent.map(\.step))
}

@Test func trainMetricsOfAnEvaluationCoverTheStepsSinceThePreviousOne() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=2", "train_samples=64", "batch_size=8", "eval_every_steps=3", "early_stopping_patience=0",
  ])
  let directory = try RunDirectory(root: scratch.url, name: "window", hyperParameters: hp)
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  _ = trainer.runOnThisThread()
  var pending: [StepMetrics] = []
  var checked = 0
  for event in trainer.drainEvents() {
    switch event {
    case .step(let step): pending.append(step)
    case .epoch(let evaluation) where evaluation.epoch > 0:
      // Each step's accuracy is over its samples; the evaluation's is over all of them.
      #expect(pending.last?.step == evaluation.step)
      let meanLoss = pending.map(\.loss).reduce(0, +) / Double(pending.count)
      if pending.count > 1 || evaluation.isEpochEnd == false {
        #expect(abs(evaluation.trainLoss - meanLoss) < 0.5 * meanLoss + 1e-9)
      }
      checked += 1
      pending = []
    default: break
    }
  }
  #expect(checked >= 4)
}

/// Runs until the first step boundary after a mid-epoch evaluation of epoch `epoch` or later and
/// stops there, as the dashboard's stop does; returns the directory and that evaluation's step.
/// The session is driven on this thread, so the stop lands at exactly that boundary.
private func runAndStopAfterMidEpochEvaluation(_ hp: HyperParameters, root: URL, epoch: Int) throws
  -> (URL, Int)
{
  let directory = try RunDirectory(root: root, name: "stopped", hyperParameters: hp)
  final class Box {
    var stoppedAt: Int?
  }
  let box = Box()
  let session = try TrainingSession(
    prepared: try PreparedRun.prepare(hp), directory: directory,
    publish: { event in
      if case .epoch(let metrics) = event, box.stoppedAt == nil, !metrics.isEpochEnd, metrics.epoch >= epoch {
        box.stoppedAt = metrics.step
      }
    },
    pollCommands: { box.stoppedAt == nil ? [] : [.stop] })
  #expect(session.run().status == .stopped)
  return (directory.url, try #require(box.stoppedAt))
}

@Test(arguments: [1, 3])
func aRunResumedAfterAMidEpochEvaluationIsBitIdentical(accumulation: Int) throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=6", "train_samples=64", "batch_size=4", "grad_accum_steps=\(accumulation)",
    "eval_every_steps=2", "dropout=0.2", "schedule=plateau", "step_size=1", "early_stopping_patience=0",
    "seed=3", "learning_rate=0.01",
  ])
  let whole = try RunDirectory(root: scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread().status == .completed)

  let (stoppedURL, evaluationStep) = try runAndStopAfterMidEpochEvaluation(hp, root: scratch.url, epoch: 3)
  let resumable = try ResumableRun.open(stoppedURL)
  #expect(resumable.state.step == evaluationStep)
  #expect(resumable.state.progress.epoch > resumable.state.epochsRun, "stopped inside an epoch")
  #expect(Trainer(resuming: resumable).runOnThisThread().status == .completed)

  #expect(try weights(stoppedURL) == weights(wholeURL))
  #expect(try weights(stoppedURL, "best.safetensors") == weights(wholeURL, "best.safetensors"))
  #expect(try metricsWithoutTime(stoppedURL) == metricsWithoutTime(wholeURL))
  #expect(try text(stoppedURL, "classes.csv") == text(wholeURL, "classes.csv"))
  let summary = try RunDirectory(existing: stoppedURL).readSummary()
  let wholeSummary = try RunDirectory(existing: wholeURL).readSummary()
  #expect(summary.bestStep == wholeSummary.bestStep && summary.bestEpoch == wholeSummary.bestEpoch)
}

@Test func resumeDropsTheEvaluationsAfterTheSavedStep() throws {
  // A run killed after evaluations it never saved a `last` for: resume trains them again, so it
  // truncates metrics.csv and classes.csv by step, mid-epoch rows included.
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=4", "train_samples=64", "batch_size=8", "eval_every_steps=3", "early_stopping_patience=0",
    "seed=9",
  ])
  let whole = try RunDirectory(root: scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread().status == .completed)
  let (stoppedURL, _) = try runAndStopAfterMidEpochEvaluation(hp, root: scratch.url, epoch: 2)
  let savedStep = try TrainingState(
    file: SafeTensors.read(from: stoppedURL.appendingPathComponent("last.state.safetensors")),
    path: "state"
  ).step
  // As if the process had gone on to the end and was killed before saving `last` again.
  for file in ["metrics.csv", "classes.csv"] {
    try Data(contentsOf: wholeURL.appendingPathComponent(file))
      .write(to: stoppedURL.appendingPathComponent(file))
  }
  let resumable = try ResumableRun.open(stoppedURL)
  let kept = try evaluationCells(stoppedURL)
  #expect(kept.last.map { $0.step <= savedStep } == true)
  #expect(kept.map(\.step) == (try evaluationCells(wholeURL)).map(\.step).filter { $0 <= savedStep })
  #expect(Trainer(resuming: resumable).runOnThisThread().status == .completed)
  #expect(try metricsWithoutTime(stoppedURL) == metricsWithoutTime(wholeURL))
  #expect(try text(stoppedURL, "classes.csv") == text(wholeURL, "classes.csv"))
  #expect(try weights(stoppedURL) == weights(wholeURL))
}

@Test func earlyStoppingCountsEvaluationsAndKeepsTheBestOfAnyOfThem() throws {
  let scratch = ScratchDirectory()
  // A high rate on few samples overfits within a few steps.
  let hp = try settings([
    "epochs=40", "train_samples=24", "batch_size=4", "eval_every_steps=2", "early_stopping_patience=3",
    "learning_rate=0.05", "optimizer=sgd", "schedule=constant", "warmup_epochs=0", "seed=1",
  ])
  let url = try RunDirectory(root: scratch.url, name: "early", hyperParameters: hp).url
  let summary = Trainer(try PreparedRun.prepare(hp), directory: try RunDirectory(existing: url))
    .runOnThisThread()
  let directory = try RunDirectory(existing: url)
  #expect(summary.status == .earlyStopped)
  let rows = try MetricsFile.read(run: directory.url)
  let best = try #require(rows.min { $0.validationLoss < $1.validationLoss })
  #expect(summary.bestStep == best.step)
  #expect(summary.bestEpoch == best.epoch)
  // Patience 3: the run ended at the third evaluation after the best one, wherever it fell.
  #expect(rows.last!.step > best.step)
  #expect(rows.filter { $0.step > best.step }.count == 3)
  #expect(summary.steps == rows.last!.step)
  // `last` is the weights where it stopped; `best` those of the best evaluation, kept by its step.
  let last = try SafeTensors.read(from: directory.lastCheckpointURL)
  #expect(last.metadata["step"] == String(summary.steps))
  let bestFile = try SafeTensors.read(from: directory.bestCheckpointURL)
  #expect(bestFile.metadata["step"] == String(best.step))
  #expect(bestFile.metadata["epoch"] == best.epochText)
  let kept =
    best.isEpochEnd
    ? directory.historyCheckpointURL(epoch: best.epoch)
    : directory.historyCheckpointURL(epoch: best.epoch, step: best.step)
  #expect(FileManager.default.fileExists(atPath: kept.path))
  #expect(directory.historyCheckpointURL(best: summary) == kept)
  let ledger = CheckpointLedger.entries(run: directory.url).filter(\.isBest)
  #expect(ledger.count == 1)
  #expect(ledger.first?.path == kept.path && ledger.first?.validationLoss == best.validationLoss)
}

@Test func epochPositionsNeverReadAsAnEpochsEnd() {
  for stepsPerEpoch in [2, 3, 7, 9, 10, 11, 99, 100, 101, 999, 20_000] {
    var previous = 4.0
    for step in 1..<stepsPerEpoch where step < 50 || step > stepsPerEpoch - 50 || step % 97 == 0 {
      let position = EpochPosition.of(epoch: 5, stepInEpoch: step, stepsPerEpoch: stepsPerEpoch)
      #expect(position > previous && position < 5, "\(step)/\(stepsPerEpoch): \(position)")
      previous = position
      let cell = EpochPosition.text(position)
      #expect(Double(cell) == position)
      let parsed = EpochPosition.parse(Substring(cell))
      #expect(parsed?.epoch == 5 && parsed?.midEpoch == position)
    }
  }
  #expect(EpochPosition.of(epoch: 3, stepInEpoch: 4, stepsPerEpoch: 4) == 3)
  #expect(EpochPosition.text(3) == "3")
  #expect(EpochPosition.of(epoch: 2, stepInEpoch: 2, stepsPerEpoch: 4) == 1.5)
  #expect(EpochPosition.of(epoch: 1, stepInEpoch: 1, stepsPerEpoch: 3) == 0.33)
  #expect(EpochPosition.parse("4")! == (4, nil))
  #expect(EpochPosition.parse("4.0")! == (4, nil))
  #expect(
    EpochPosition.parse("-1") == nil && EpochPosition.parse("x") == nil && EpochPosition.parse("nan") == nil)
}

@Test func metricsFilesOfEveryAgeRead() throws {
  let scratch = ScratchDirectory()
  func write(_ text: String) throws -> URL {
    let run = scratch.url.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: run.appendingPathComponent("metrics.csv"))
    return run
  }
  // Before eval_every_steps: whole epochs only.
  let old = try MetricsFile.read(
    run: write(
      """
      epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds
      0,0,2.3,0.1,2.3,0.1,0.001,0.1
      1,5,1.2,0.6,1.1,0.62,0.001,0.2

      """))
  #expect(old.map(\.epoch) == [0, 1] && old.map(\.midEpoch) == [nil, nil] && old.map(\.step) == [0, 5])
  // Another trainer's file without a step column, and a column of its own.
  let foreign = try MetricsFile.read(
    run: write(
      """
      epoch,val_loss,val_accuracy,train_loss,extra
      1,0.9,0.7,,3
      2,0.8,0.75,,4

      """))
  #expect(foreign.map(\.epoch) == [1, 2] && foreign.map(\.step) == [0, 0])
  #expect(foreign.map(\.position) == [1, 2])
  // Mid-epoch rows, and a torn last line that is still being written.
  let mid = try MetricsFile.read(
    run: write(
      """
      epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds
      0,0,2.3,0.1,2.3,0.1,0.001,0.1
      0.5,2,1.5,0.5,1.4,0.5,0.001,0.2
      1,4,1.2,0.6,1.1,0.62,0.001,0.3
      1.5,6,1.0,0.7,1.2,0.6
      """))
  #expect(mid.map(\.step) == [0, 2, 4])
  #expect(mid.map(\.epoch) == [0, 1, 1] && mid.map(\.midEpoch) == [nil, 0.5, nil])
  #expect(mid.map(\.epochText) == ["0", "0.5", "1"])
}

@Test func evalEveryStepsIsRangeChecked() throws {
  #expect(HyperParameters().evalEverySteps == 0)
  #expect(try settings(["eval_every_steps=50"]).evalEverySteps == 50)
  var negative = HyperParameters()
  negative.evalEverySteps = -1
  #expect(
    throws: ConfigError(
      key: "eval_every_steps", message: "eval_every_steps must be an integer in 0…1000000, got -1")
  ) { try negative.validate() }
  #expect(throws: ConfigError.self) { try settings(["eval_every_steps=-1"]) }
  #expect(throws: ConfigError.self) { try settings(["eval_every_steps=2000000"]) }
  #expect(throws: ConfigError.self) { try settings(["eval_every_steps=2.5"]) }
  #expect(HyperParameters().yaml().contains("eval_every_steps: 0"))
}

@Test func aFollowerSeesMidEpochEvaluationsAsTheTrainerPublishedThem() throws {
  let scratch = ScratchDirectory()
  let hp = try settings([
    "epochs=2", "train_samples=64", "batch_size=4", "grad_accum_steps=2", "eval_every_steps=3",
  ])
  let run = try RunDirectory(root: scratch.url, name: "followed", hyperParameters: hp)
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: run)
  let summary = trainer.runOnThisThread()
  let published = trainer.drainEvents().compactMap { event -> EpochMetrics? in
    if case .epoch(let metrics) = event { metrics } else { nil }
  }
  let events = RunFollower(run: run.url).poll().events
  guard case .started(let start) = events.first else {
    Issue.record("no .started")
    return
  }
  #expect(start.stepsPerEpoch == summary.steps / 2, "counted in optimizer steps, accumulation included")
  let followed = events.compactMap { event -> EpochMetrics? in
    if case .epoch(let metrics) = event { metrics } else { nil }
  }
  #expect(followed.contains { !$0.isEpochEnd })
  #expect(followed.map(\.position) == published.map(\.position))
  #expect(followed.map(\.step) == published.map(\.step))
  #expect(followed.map(\.epoch) == published.map(\.epoch))
}
