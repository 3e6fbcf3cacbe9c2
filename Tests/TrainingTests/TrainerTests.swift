import Foundation
import Testing

@testable import Training

/// A scratch directory removed when the test ends.
final class ScratchDirectory {
  let url: URL
  init() {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-test-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }
}

func settings(_ overrides: [String]) throws -> HyperParameters {
  try HyperParameters().applying(overrides: overrides)
}

@Test func frozenGroupIsBitIdenticalAfterARun() throws {
  let hp = try settings(["frozen=hidden1", "epochs=2", "train_samples=64", "early_stopping_patience=0"])
  let reference = try PreparedRun.prepare(hp).model.store
  let hidden1 = reference.tensors.indices.filter { reference.tensors[$0].group == "hidden1" }
  let hidden2 = reference.tensors.indices.filter { reference.tensors[$0].group == "hidden2" }
  let before = hidden1.map { reference.values(of: $0) }
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .completed)
  let after = Dictionary(uniqueKeysWithValues: trainer.finalModelWeights().map { ($0.name, $0.values) })
  #expect(hidden1.map { after[reference.tensors[$0].name]! } == before)
  // The trainable group below the head did move, so the comparison above means something.
  #expect(hidden2.map { after[reference.tensors[$0].name]! } != hidden2.map { reference.values(of: $0) })
}

@Test func stoppedRunLeavesAReadableDirectory() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=50", "train_samples=200", "batch_size=8"])
  let directory = try RunDirectory(root: scratch.url, name: "stop-me")
  let path = directory.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  trainer.start()
  var epochsSeen = 0
  while epochsSeen < 2 {
    for event in trainer.drainEvents() { if case .epoch = event { epochsSeen += 1 } }
    Thread.sleep(forTimeInterval: 0.005)
  }
  trainer.send(.stop)
  let summary = trainer.waitUntilFinished()
  #expect(summary.status == .stopped)

  let metrics = try String(contentsOf: path.appendingPathComponent("metrics.csv"), encoding: .utf8)
  let lines = metrics.split(separator: "\n")
  #expect(lines.first == Substring(RunDirectory.metricsHeader))
  #expect(lines.count >= 3)
  for line in lines.dropFirst() {
    let fields = line.split(separator: ",")
    #expect(fields.count == 8)
    #expect(fields.allSatisfy { Double($0) != nil })
  }
  let decoded = try JSONDecoder().decode(
    RunSummary.self, from: Data(contentsOf: path.appendingPathComponent("summary.json")))
  #expect(decoded.status == .stopped)
  #expect(decoded.epochsRun == lines.count - 2)
  let last = try SafeTensors.read(from: path.appendingPathComponent("last.safetensors"))
  #expect(last["head.weight"]?.shape == [10, 64])
  _ = try SafeTensors.read(from: path.appendingPathComponent("best.safetensors"))
  let config = try HyperParameters.load(path: path.appendingPathComponent("config.yaml").path)
  #expect(config.epochs == 50)
  let events = try String(contentsOf: path.appendingPathComponent("events.jsonl"), encoding: .utf8)
  let kinds = try events.split(separator: "\n").map {
    try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
  }.map { $0["event"] as! String }
  #expect(kinds.first == "start")
  #expect(kinds.contains("stop"))
  #expect(kinds.last == "finish")
}

@Test func absurdLearningRateEndsDiverged() throws {
  let hp = try settings([
    "learning_rate=10", "optimizer=sgd", "grad_clip=0", "epochs=20", "warmup_epochs=0",
    "schedule=constant", "train_samples=64",
  ])
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .diverged)
  #expect(summary.reason?.contains("learning_rate") == true)
  let events = trainer.drainEvents()
  let losses = events.compactMap { event -> Double? in
    if case .step(let step) = event { return step.loss }
    return nil
  }
  #expect(losses.allSatisfy { $0.isFinite })
}

@Test func earlyStoppingEndsPatienceEpochsAfterTheBest() throws {
  // A tiny train set and no regularisation overfit quickly, so validation loss turns up.
  let hp = try settings([
    "train_samples=30", "dropout=0", "weight_decay=0", "learning_rate=1e-2", "epochs=300",
    "early_stopping_patience=4", "schedule=constant", "warmup_epochs=0", "base_model=none",
  ])
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .earlyStopped)
  #expect(summary.epochsRun == summary.bestEpoch + 4)
}

@Test func hotEditsAndFreezeTakeEffectAtTheNextBatch() throws {
  let hp = try settings([
    "epochs=3", "train_samples=64", "batch_size=16", "schedule=constant", "warmup_epochs=0",
  ])
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  trainer.send(.setLearningRate(5e-4))
  trainer.send(.setFrozen(group: "hidden1", frozen: true))
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .completed)
  let events = trainer.drainEvents()
  let firstStep = events.compactMap { event -> StepMetrics? in
    if case .step(let step) = event { return step }
    return nil
  }.first!
  #expect(abs(firstStep.learningRate - 5e-4) < 1e-12)
  #expect(firstStep.gradientNorms["hidden1"] == 0)
  #expect(
    events.contains(.hotEdit(.freeze(group: "hidden1", frozen: true, bySchedule: false), step: 0)))
}

@Test func unfreezePlanGoesTopDownAndKeepsPinnedGroupsFrozen() {
  let plan = UnfreezePlan(groups: ["hidden1", "hidden2", "hidden3", "head"], frozen: ["hidden1"], every: 2)
  #expect(plan.unfreezeEpoch["head"] == 1)
  #expect(plan.unfreezeEpoch["hidden3"] == 3)
  #expect(plan.unfreezeEpoch["hidden2"] == 5)
  #expect(plan.unfreezeEpoch["hidden1"] == .some(nil))
  #expect(plan.frozenGroups(atEpoch: 1) == ["hidden1", "hidden2", "hidden3"])
  #expect(plan.frozenGroups(atEpoch: 3) == ["hidden1", "hidden2"])
  #expect(plan.groupsUnfrozen(atEpoch: 5) == ["hidden2"])
  let off = UnfreezePlan(groups: ["hidden1", "head"], frozen: [], every: 0)
  #expect(off.frozenGroups(atEpoch: 1).isEmpty)
}

@Test func runDirectoryNamesAreUniqueWithinOneSecond() throws {
  let scratch = ScratchDirectory()
  let date = Date(timeIntervalSince1970: 1_800_000_000)
  let first = try RunDirectory(root: scratch.url, name: "a/b c", date: date)
  let second = try RunDirectory(root: scratch.url, name: "a/b c", date: date)
  #expect(first.url != second.url)
  #expect(first.name.hasSuffix("-a_b_c"))
  #expect(second.name.hasSuffix("-a_b_c-2"))
}

@Test func unwritableRunsDirectoryNamesThePath() throws {
  let scratch = ScratchDirectory()
  // A plain file where the runs directory should be: refused even for root, unlike permissions.
  let blocked = scratch.url.appendingPathComponent("not-a-directory")
  try Data("x".utf8).write(to: blocked)
  let error = #expect(throws: RunDirectoryError.self) {
    try RunDirectory(root: blocked, name: "x")
  }
  #expect(error?.description.contains(blocked.path) == true)
}
