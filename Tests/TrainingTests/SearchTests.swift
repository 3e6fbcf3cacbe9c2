import Foundation
import Testing

@testable import Training

private func tinySearch(
  root: URL, trials: Int, parallel: Int, sampler: SamplerKind = .random, pruner: PrunerKind = .asha,
  seed: Int = 11
) throws -> SearchSettings {
  let base = try settings(["train_samples=30", "epochs=3", "warmup_epochs=0"])
  var search = SearchSettings(
    base: base, space: .standard(groups: ["hidden1", "hidden2", "head"], trainingSamples: 30), trials: trials,
    runsRoot: root)
  search.parallel = parallel
  search.sampler = sampler
  search.pruner = pruner
  search.seed = seed
  search.gracePeriod = 1
  return search
}

private func runDirectories(in url: URL) throws -> [URL] {
  try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
    .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("metrics.csv").path) }
    .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

@Test func sixTrialSearchOnTwoWorkersLeavesSixTaggedRunsAndALoadableBestConfig() throws {
  let scratch = ScratchDirectory()
  let search = try HyperparameterSearch(
    try tinySearch(root: scratch.url, trials: 6, parallel: 2, sampler: .tpe))
  let report = search.run()

  let runs = try runDirectories(in: search.directory)
  #expect(runs.count == 6)
  let summaries = try runs.map { try RunDirectory(existing: $0).readSummary() }
  #expect(summaries.allSatisfy { $0.search == search.id && $0.status.isFinal })
  #expect(Set(summaries.compactMap(\.trial)) == Set(1...6))
  #expect(report.trials.count == 6)
  #expect(search.snapshot().isFinished)
  // The live view's curves hold one point per trained epoch of every trial.
  #expect(report.trials.allSatisfy { $0.validationLosses.count == $0.summary?.epochsRun })
  #expect(
    report.trials.contains { $0.status == .pruned }
      == report.trials.contains { ($0.summary?.epochsRun ?? 0) < 3 })

  let best = try #require(report.best)
  let loaded = try HyperParameters.load(path: report.bestConfigURL.path)
  #expect(loaded == report.bestHyperParameters)
  #expect(loaded.learningRate == Double(best.parameters.first { $0.key == "learning_rate" }!.value))
  #expect(try PreparedRun.prepare(loaded).hyperParameters == loaded)
  let bestLoss = try #require(best.objective)
  #expect(report.trials.filter(\.isComplete).allSatisfy { ($0.objective ?? .infinity) >= bestLoss })

  let record =
    try JSONSerialization.jsonObject(
      with: Data(contentsOf: search.directory.appendingPathComponent("search.json"))) as! [String: Any]
  #expect((record["trials"] as! [[String: Any]]).count == 6)
  let text = try String(contentsOf: report.reportURL, encoding: .utf8)
  #expect(text.contains("importance (η²"))
  #expect(text.contains("best: trial \(best.number)"))
}

@Test func randomSearchTrialsDoNotDependOnParallelism() throws {
  let scratch = ScratchDirectory()
  let one = try HyperparameterSearch(
    try tinySearch(root: scratch.url, trials: 4, parallel: 1, pruner: .none),
    date: Date(timeIntervalSince1970: 0)
  ).run()
  let two = try HyperparameterSearch(
    try tinySearch(root: scratch.url, trials: 4, parallel: 2, pruner: .none),
    date: Date(timeIntervalSince1970: 0)
  ).run()
  #expect(one.directory != two.directory)
  #expect(one.trials.map(\.assignment) == two.trials.sorted { $0.number < $1.number }.map(\.assignment))
  // Every trial sees the same data and seed, so the same settings train to the same result.
  #expect(
    one.trials.map(\.summary?.bestValidationLoss)
      == two.trials.sorted { $0.number < $1.number }.map(\.summary?.bestValidationLoss))
}

@Test func stoppingASearchKeepsFinishedTrialsAndStartsNoMore() throws {
  let scratch = ScratchDirectory()
  var settings = try tinySearch(root: scratch.url, trials: 50, parallel: 1, pruner: .none)
  settings.base.epochs = 2
  let search = try HyperparameterSearch(settings)
  search.start()
  while !search.snapshot().trials.contains(where: { $0.status.isFinal }) {
    Thread.sleep(forTimeInterval: 0.01)
  }
  search.stop()
  let report = search.waitUntilFinished()
  #expect(report.trials.count < 50)
  #expect(report.trials.allSatisfy { $0.status.isFinal })
  #expect(try runDirectories(in: search.directory).count == report.trials.count)
  #expect(report.best != nil)
}

@Test func aPrunedTrialEndsEarlyAndSaysWhy() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["train_samples=30", "epochs=5", "warmup_epochs=0"])
  let created = try RunDirectory(root: scratch.url, name: "trial", hyperParameters: hp)
  let url = created.url
  let hooks = TrialHooks(
    search: "search-x", trial: 3,
    reviewEpoch: { metrics in metrics.epoch == 2 ? "scripted verdict at epoch 2" : nil })
  let summary = Trainer(try PreparedRun.prepare(hp), directory: created, hooks: hooks).runOnThisThread()
  let directory = try RunDirectory(existing: url)
  #expect(summary.status == .pruned)
  #expect(summary.epochsRun == 2)
  #expect(summary.reason == "scripted verdict at epoch 2")
  let saved = try directory.readSummary()
  #expect(saved.status == .pruned && saved.search == "search-x" && saved.trial == 3)
  let events = try String(contentsOf: directory.url.appendingPathComponent("events.jsonl"), encoding: .utf8)
  #expect(events.contains("\"event\":\"pruned\""))
  #expect(events.contains("scripted verdict at epoch 2"))
  #expect(FileManager.default.fileExists(atPath: directory.bestCheckpointURL.path))
}
