import Foundation
import Testing

@testable import Training

private func finishedRun(_ overrides: [String], root: URL, name: String) throws -> URL {
  let hp = try settings(overrides)
  let directory = try RunDirectory(root: root, name: name, hyperParameters: hp)
  let url = directory.url
  _ = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()
  return url
}

@Test func catalogListsRunsAndTellsKilledFromLive() throws {
  let scratch = ScratchDirectory()
  _ = try finishedRun(["epochs=2", "train_samples=20", "learning_rate=0.003"], root: scratch.url, name: "a")
  _ = try finishedRun(["epochs=3", "train_samples=20", "dropout=0"], root: scratch.url, name: "b")
  func running(_ name: String, writer: RunWriter) throws {
    let run = try RunDirectory(root: scratch.url, name: name, hyperParameters: HyperParameters())
    try run.writeSummary(RunSummary(status: .running, writer: writer))
  }
  let here = RunWriter.current
  #expect(here.started != nil, "Linux has /proc/self/stat")
  // A run whose writer died: status running, with the pid of a process that no longer exists.
  try running("killed", writer: RunWriter(pid: Int32.max - 1, started: nil, host: here.host))
  // A run this process is writing.
  try running("live", writer: here)
  // A writer that died and whose pid went to a later process (this one, which started at another time).
  try running(
    "reused", writer: RunWriter(pid: here.pid, started: here.started.map { $0 + 1 }, host: here.host))
  // A writer on another machine sharing the runs directory: its pid cannot be asked about here.
  try running("elsewhere", writer: RunWriter(pid: Int32.max - 1, started: 1, host: here.host + "-other"))

  let records = RunCatalog.list(runs: scratch.url)
  #expect(records.count == 6)
  let byName = Dictionary(
    uniqueKeysWithValues: records.map { (String($0.name.split(separator: "-").last!), $0) })
  #expect(byName["killed"]?.statusText == "killed")
  #expect(byName["live"]?.statusText == "running")
  #expect(byName["reused"]?.statusText == "killed")
  #expect(byName["elsewhere"]?.statusText == "running")
  #expect(byName["a"]?.statusText == "completed")
  #expect(byName["a"]?.differences.contains("learning_rate=0.003") == true)
  #expect(byName["b"]?.summary?.epochsRun == 3)

  let byEpochs = RunCatalog.sorted(records, by: .epochs).map { $0.summary?.epochsRun ?? -1 }
  #expect(byEpochs == byEpochs.sorted(by: >))
  let byLoss = RunCatalog.sorted(records, by: .valLoss).compactMap { $0.summary?.bestValidationLoss }
    .filter(\.isFinite)
  #expect(byLoss == byLoss.sorted())
}

@Test func exportRoundTripsThroughCSV() throws {
  let scratch = ScratchDirectory()
  let first = try finishedRun(["epochs=2", "train_samples=20"], root: scratch.url, name: "x")
  let second = try finishedRun(
    ["epochs=3", "train_samples=20", "learning_rate=0.003"], root: scratch.url, name: "y")
  let records = [first, second].map { RunCatalog.record(at: $0) }
  let table = try MetricsExport.export(records, format: .csv)
  let lines = table.split(separator: "\n").map(String.init)
  let header = lines[0].split(separator: ",").map(String.init)
  // Only the settings that differ between the two runs get a column.
  #expect(header.prefix(4) == ["run", "source", "hp_learning_rate", "hp_epochs"])
  #expect(lines.count == 1 + 3 + 4)  // epochs 0…2 and 0…3
  for (url, record) in zip([first, second], records) {
    let metrics = try String(contentsOf: url.appendingPathComponent("metrics.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst().map(String.init)
    let exported = lines.filter { $0.hasPrefix(record.name + ",") }
      .map { $0.split(separator: ",").dropFirst(4).joined(separator: ",") }
    #expect(exported == metrics)
  }
  let jsonl = try MetricsExport.export(records, format: .jsonl)
  let objects = try jsonl.split(separator: "\n").map {
    try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
  }
  #expect(objects.count == 7)
  #expect(objects.last?["hp_learning_rate"] as? Double == 0.003)
  #expect(objects.last?["epoch"] as? Int == 3)
}

@Test func summariesFromBeforeTheWritersHostWasRecordedAreTakenAsLocal() throws {
  let old = #"{"status":"running","epochs_run":1,"best_epoch":1,"wall_seconds":2,"pid":2147483646}"#
  let summary = try JSONDecoder().decode(RunSummary.self, from: Data(old.utf8))
  #expect(summary.writer == RunWriter(pid: Int32.max - 1, started: nil, host: RunWriter.current.host))
  #expect(summary.writer?.isAlive == false)
  let saved = try JSONDecoder().decode(RunSummary.self, from: JSONEncoder().encode(summary))
  #expect(saved.writer == summary.writer)
}

@Test func aFilterMatchesEveryWordInTheNameStatusOrChangedSettingsIgnoringCase() {
  var settings = HyperParameters()
  settings.learningRate = 3e-3
  settings.dropout = 0
  let record = RunRecord(
    name: "20261101-093000-wide", path: "runs/20261101-093000-wide", started: nil,
    summary: RunSummary(status: .running), settings: settings, isLive: false)
  #expect(record.statusText == "killed")
  for filter in ["", "  ", "WIDE", "killed", "dropout=0", "learning_rate=0.003 wide", "093000 KILL"] {
    #expect(record.matches(filter), "\(filter)")
  }
  for filter in ["narrow", "completed", "dropout=0.1", "wide completed", "epochs="] {
    #expect(!record.matches(filter), "\(filter)")
  }
}

@Test func runsStartedInTheSameSecondListNewestNameFirstOnEveryListing() {
  let records = ["t02", "t10", "t01", "t03"].map { trial in
    RunRecord(
      name: "s/20261129-115522-\(trial)", path: "runs/s/20261129-115522-\(trial)",
      started: RunCatalog.startDate(of: "20261129-115522-\(trial)"), summary: RunSummary(status: .pruned),
      settings: nil, isLive: false)
  }
  for permutation in [records, records.reversed(), records.shuffled()] {
    #expect(
      RunCatalog.sorted(permutation, by: .started).map { String($0.name.suffix(3)) } == [
        "t10", "t03", "t02", "t01",
      ])
    #expect(
      RunCatalog.sorted(permutation, by: .epochs).map { String($0.name.suffix(3)) } == [
        "t10", "t03", "t02", "t01",
      ])
  }
}
