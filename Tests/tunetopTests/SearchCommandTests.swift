import Foundation
import Testing

@testable import Training

@Test func searchCommandWritesTrialsAReportAndABestConfigThatTrains() throws {
  let scratch = Scratch()
  let result = try CLI.run(
    [
      "search", "--trials", "6", "--parallel", "2", "--sampler", "random", "--seed", "4",
      "--set", "train_samples=30", "--set", "epochs=2", "--set", "warmup_epochs=0",
    ], in: scratch.url)
  #expect(result.status == 0, "\(result.error)")
  #expect(result.output.contains("trial 6/6") || result.output.contains("/6 "))
  #expect(result.output.contains("importance (η²"))
  let searches = scratch.runs
  #expect(searches.count == 1)
  let search = try #require(searches.first)
  #expect(search.lastPathComponent.contains("-search-random"))
  let trials = try FileManager.default.contentsOfDirectory(atPath: search.path).filter { $0.contains("-t0") }
  #expect(trials.count == 6)
  let best = search.appendingPathComponent("best.yaml").path
  let train = try CLI.run(
    ["train", "--config", best, "--set", "epochs=1", "--runs", "again"], in: scratch.url)
  #expect(train.status == 0, "\(train.error)")
}

@Test func searchCommandRejectsABadSpaceWithFileAndLine() throws {
  let scratch = Scratch()
  try "learning_rate: {low: 1e-4, high: 0.1, log: true}\ndropout: {low: 0.6, high: 0.2}\n".write(
    to: scratch.url.appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
  let result = try CLI.run(["search", "--trials", "2", "--space", "space.yaml"], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("dropout at space.yaml:2 range has low > high (0.6 > 0.2)"))
  #expect(scratch.runs.isEmpty)
  let sampler = try CLI.run(["search", "--trials", "2", "--sampler", "grid"], in: scratch.url)
  #expect(sampler.status == 2)
  #expect(sampler.error.contains("--sampler must be random or tpe, got grid"))
}

@Test func lrFindPrintsASuggestionAndWritesTheCurve() throws {
  let scratch = Scratch()
  let result = try CLI.run(["lr-find", "--set", "train_samples=64", "--out", "curve.csv"], in: scratch.url)
  #expect(result.status == 0, "\(result.error)")
  #expect(result.output.contains("suggested learning_rate: "))
  let csv = try String(contentsOf: scratch.url.appendingPathComponent("curve.csv"), encoding: .utf8)
  let lines = csv.split(separator: "\n")
  #expect(lines.first == "lr,loss,smoothed_loss")
  #expect(lines.count > 20)
  #expect(scratch.runs.isEmpty)
}

@Test func sigintStopsASearchKeepingEveryFinishedTrial() throws {
  let scratch = Scratch()
  let process = Process()
  process.executableURL = CLI.binary
  process.arguments = [
    "search", "--trials", "200", "--sampler", "random", "--pruner", "none",
    "--set", "train_samples=40", "--set", "epochs=20", "--set", "early_stopping_patience=0",
  ]
  process.currentDirectoryURL = scratch.url
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  // Wait (without a time limit on how fast) until search.json lists a finished trial.
  func finishedTrials() -> [[String: Any]] {
    guard let search = scratch.runs.first,
      let data = try? Data(contentsOf: search.appendingPathComponent("search.json")),
      let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let trials = record["trials"] as? [[String: Any]]
    else { return [] }
    return trials.filter { ($0["status"] as? String) == "completed" }
  }
  while finishedTrials().isEmpty && process.isRunning { Thread.sleep(forTimeInterval: 0.02) }
  process.interrupt()
  process.waitUntilExit()
  #expect(process.terminationStatus == 130)
  let search = try #require(scratch.runs.first)
  let record =
    try JSONSerialization.jsonObject(with: Data(contentsOf: search.appendingPathComponent("search.json")))
    as! [String: Any]
  let trials = record["trials"] as! [[String: Any]]
  #expect(trials.count < 200)
  #expect(
    trials.allSatisfy { ["completed", "interrupted"].contains($0["status"] as? String) },
    "\(trials.map { $0["status"] ?? "" })")
  #expect(trials.contains { ($0["status"] as? String) == "completed" })
  for trial in trials {
    let run = search.appendingPathComponent(trial["run"] as! String)
    let summary = try JSONDecoder().decode(
      RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
    #expect(summary.status.rawValue == trial["status"] as? String)
  }
  #expect(FileManager.default.fileExists(atPath: search.appendingPathComponent("report.txt").path))
  #expect(FileManager.default.fileExists(atPath: search.appendingPathComponent("best.yaml").path))
}
