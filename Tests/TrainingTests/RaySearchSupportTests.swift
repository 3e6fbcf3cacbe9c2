import Foundation
import Testing

@testable import Training

/// `prune` in control.jsonl, which `tunetop search --backend ray` sends when Ray's scheduler stops a trial.
@Test func pruneNeedsAReasonAndBecomesATrainerCommand() throws {
  let scratch = ScratchDirectory()
  let run = try RunDirectory(root: scratch.url, name: "trial")
  let control = try RunControl(directory: run, groups: ["head"], step: 0, checkInterval: .zero)
  let handle = try FileHandle(forWritingTo: run.url.appendingPathComponent("control.jsonl"))
  try handle.seekToEnd()
  try handle.write(
    contentsOf: Data(
      (#"{"id": 1, "command": "prune"}"# + "\n" + #"{"id": 2, "command": "prune", "reason": "ASHA rung 1"}"#
        + "\n")
        .utf8))
  try handle.close()
  var commands: [TrainerCommand] = []
  try control.poll(step: 4, into: &commands)
  #expect(commands == [.prune(reason: "ASHA rung 1")])
  let line = ControlCommand(id: 3, action: .prune(reason: "why")).line(at: Date(), by: nil)
  #expect(line.contains(#""command":"prune""#) && line.contains(#""reason":"why""#))
}

/// A trial written by another process (tagged with the search) is read back with its parameters
/// from config.yaml, its status and its curve; other directories under the search are ignored.
@Test func aSearchDirectoryIsReadBackFromItsTrialRuns() throws {
  let scratch = ScratchDirectory()
  let search = scratch.url.appendingPathComponent("20261130-050000-search-ray")
  try FileManager.default.createDirectory(at: search, withIntermediateDirectories: true)
  var settings = HyperParameters()
  settings.epochs = 2
  settings.learningRate = 0.003
  let space = SearchSpace([
    SearchDimension(key: .learningRate, domain: .range(low: 1e-4, high: 1e-1, log: true)),
    SearchDimension(key: .dropout, domain: .choices(["0", "0.2"])),
  ])
  settings.dropout = 0.2
  let prepared = try PreparedRun.prepare(settings)
  let directory = try RunDirectory(root: search, name: "t01", hyperParameters: prepared.hyperParameters)
  let summaryURL = directory.url.appendingPathComponent("summary.json")
  let summary = Trainer(
    prepared, directory: directory, hooks: TrialHooks(search: search.lastPathComponent, trial: 1)
  )
  .runOnThisThread()
  _ = try RunDirectory(root: search, name: "unrelated")
  let trials = SearchDirectoryScan.trials(in: search, space: space)
  #expect(trials.count == 1)
  #expect(trials.first?.number == 1 && trials.first?.status == summary.status)
  #expect(trials.first?.parameters.map(\.value) == ["0.003", "0.2"])
  #expect(trials.first?.assignment == [.number(0.003), .choice(1)])
  #expect(trials.first?.validationLosses.count == 2)
  let report = SearchReport(
    settings: SearchSettings(base: settings, space: space, trials: 1, runsRoot: scratch.url),
    id: search.lastPathComponent, directory: search, trials: trials)
  #expect(report.best?.number == 1)

  // The cache re-reads a trial only when its summary or metrics changed.
  var cache = SearchDirectoryCache()
  #expect(cache.trials(in: search, space: space).first?.status == summary.status)
  var changed = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: summaryURL))
  changed.status = .pruned
  changed.reason = "ASHA"
  changed.wallSeconds += 1000  // a different size, so the change shows even within one mtime tick
  try AtomicFile.write(try JSONEncoder().encode(changed), to: summaryURL)
  // An ended trial is looked at again only every `finalRecheck` refreshes (its files do not change).
  var reread: [SearchTrial] = []
  for _ in 0..<SearchDirectoryCache.finalRecheck { reread = cache.trials(in: search, space: space) }
  #expect(reread.first?.status == .pruned)
  #expect(reread.first?.reason == "ASHA")
}
