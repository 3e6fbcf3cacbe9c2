// `tunetop-bench search [--trials N]`: what one refresh of a search read from disk costs with N
// trials (a Ray search's `tunetop search` loop, and a Search view fed from the directory).
//
// Generates a search directory of N trial runs (config.yaml, summary.json tagged with the search,
// 20 epochs of metrics.csv) in a temporary directory, then times the three parts of a refresh:
// reading every trial back (`SearchDirectoryScan`), rewriting `search.json`, and the report; and
// the same reading through `SearchDirectoryCache` when no trial changed: the median refresh (ended
// trials are not looked at) and the refresh that re-checks every ended trial (two `stat`s each, one
// refresh in `finalRecheck`). Then the Search view's refresh (`SearchDirectoryFollower`) with 100
// trials running, each of which gained one metrics.csv row since the last refresh (100 nodes).

import Foundation
import Training

func runSearch(arguments: [String]) {
  let count = intOption("--trials", in: arguments) ?? 1000
  let root = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-search-bench-\(getpid())")
  defer { try? FileManager.default.removeItem(at: root) }
  let search = root.appendingPathComponent("20261130-050000-search-ray")
  let space = SearchSpace([
    SearchDimension(key: .learningRate, domain: .range(low: 1e-4, high: 1e-1, log: true)),
    SearchDimension(key: .dropout, domain: .range(low: 0, high: 0.5, log: false)),
    SearchDimension(key: .batchSize, domain: .choices(["16", "32", "64"])),
  ])
  var base = HyperParameters()
  base.epochs = 20
  var bytes = 0
  do {
    try FileManager.default.createDirectory(at: search, withIntermediateDirectories: true)
    for number in 1...count {
      var settings = base
      settings.learningRate = 1e-4 * pow(1000, Double(number % 97) / 97)
      settings.dropout = Double(number % 11) / 22
      settings.batchSize = [16, 32, 64][number % 3]
      let directory = try RunDirectory(
        root: search, name: String(format: "t%04d", number), hyperParameters: settings)
      let epochs = number % 3 == 0 ? 20 : 4  // two in three pruned early, as ASHA does
      var metrics = RunDirectory.metricsHeader + "\n"
      var best = Double.infinity
      for epoch in 0...epochs {
        let loss = 0.3 + 0.9 * exp(-0.15 * Double(epoch)) + 0.001 * Double(number % 29)
        best = min(best, loss)
        metrics +=
          "\(epoch),\(epoch * 7),\(loss * 0.8),0.9,\(loss),0.8,\(settings.learningRate),\(Double(epoch) * 0.3)\n"
      }
      try AtomicFile.write(
        Data(metrics.utf8), to: directory.url.appendingPathComponent("metrics.csv"), durable: false)
      var summary = RunSummary(
        status: epochs == 20 ? .completed : .pruned, epochsRun: epochs, bestEpoch: epochs,
        bestValidationLoss: best, bestValidationAccuracy: 0.8, wallSeconds: 12, steps: epochs * 7,
        reason: epochs == 20 ? nil : "Ray Tune's ASHAScheduler stopped it after epoch 4",
        writer: RunWriter(pid: Int32.max - 1, started: nil, host: "node\(number % 100)"),
        search: search.lastPathComponent, trial: number)
      summary.node = "node\(number % 100)"
      try directory.writeSummary(summary)
    }
    for name in try FileManager.default.contentsOfDirectory(atPath: search.path) {
      for file in ["config.yaml", "summary.json", "metrics.csv"] {
        let attributes = try? FileManager.default.attributesOfItem(
          atPath: search.appendingPathComponent(name).appendingPathComponent(file).path)
        bytes += (attributes?[.size] as? Int) ?? 0
      }
    }
  } catch {
    print("tunetop-bench search: cannot generate trials in \(search.path): \(error)")
    exit(1)
  }
  let settings = SearchSettings(base: base, space: space, trials: count, runsRoot: root)
  var scanning: [Double] = []
  var recording: [Double] = []
  var reporting: [Double] = []
  var following: [Double] = []
  var cache = SearchDirectoryCache()
  _ = cache.trials(in: search, space: space)
  var trials: [SearchTrial] = []
  for _ in 0..<7 {
    var start = now()
    trials = SearchDirectoryScan.trials(in: search, space: space)
    scanning.append(Double(now() - start) / 1e6)
    start = now()
    try? SearchRecordFile.write(
      id: search.lastPathComponent, settings: settings, trials: trials, directory: search, backend: "ray")
    recording.append(Double(now() - start) / 1e6)
    start = now()
    _ = SearchReport(settings: settings, id: search.lastPathComponent, directory: search, trials: trials)
      .text()
    reporting.append(Double(now() - start) / 1e6)
    start = now()
    _ = cache.trials(in: search, space: space)
    following.append(Double(now() - start) / 1e6)
  }
  // Ended trials are stat'ed again one refresh in `finalRecheck`: a fresh cache reads them all on
  // its refresh 1, so refreshes 21, 41 and 61 are the re-checks; the others find nothing to do.
  var fresh = SearchDirectoryCache()
  _ = fresh.trials(in: search, space: space)
  var cached: [Double] = []
  var rechecks: [Double] = []
  for refresh in 2...(SearchDirectoryCache.finalRecheck * 3 + 1) {
    let start = now()
    _ = fresh.trials(in: search, space: space)
    let elapsed = Double(now() - start) / 1e6
    if refresh % SearchDirectoryCache.finalRecheck == 1 {
      rechecks.append(elapsed)
    } else {
      cached.append(elapsed)
    }
  }
  let live = (try? liveFollowing(search: search, running: min(100, count))) ?? (first: .nan, refresh: .nan)
  let record =
    (try? FileManager.default.attributesOfItem(atPath: search.appendingPathComponent("search.json").path))?[
      .size] as? Int ?? 0
  print(
    json([
      ("bench", "search"), ("trials", count), ("read", trials.count), ("bytes_read_per_refresh", bytes),
      ("search_json_bytes", record), ("scan_ms", median(scanning)), ("search_json_ms", median(recording)),
      ("report_ms", median(reporting)), ("cached_scan_ms", median(following)),
      ("cached_median_ms", median(cached)), ("cached_recheck_ms", median(rechecks)),
      ("follow_first_ms", live.first), ("follow_100_running_ms", live.refresh),
      ("refresh_ms", median(scanning) + median(recording)),
    ]))
}

/// The Search view's refresh while `running` trials train: their summaries say running (written by
/// this process, so their writer is alive) and each gains one validation row before every refresh.
private func liveFollowing(search: URL, running: Int) throws -> (first: Double, refresh: Double) {
  let runs = try FileManager.default.contentsOfDirectory(atPath: search.path).sorted()
    .map { search.appendingPathComponent($0) }
    .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("summary.json").path) }
    .prefix(running)
  for run in runs {
    let data = try Data(contentsOf: run.appendingPathComponent("summary.json"))
    var summary = try JSONDecoder().decode(RunSummary.self, from: data)
    summary.status = .running
    summary.writer = RunWriter.current
    try AtomicFile.write(try JSONEncoder().encode(summary), to: run.appendingPathComponent("summary.json"))
  }
  let follower = SearchDirectoryFollower(directory: search)
  var start = now()
  _ = follower.refresh()
  let first = Double(now() - start) / 1e6
  var times: [Double] = []
  for round in 0..<7 {
    for run in runs {
      let handle = try FileHandle(forWritingTo: run.appendingPathComponent("metrics.csv"))
      try handle.seekToEnd()
      try handle.write(contentsOf: Data("\(30 + round),\(210 + round),0.5,0.9,0.4,0.8,0.001,9\n".utf8))
      try handle.close()
    }
    start = now()
    _ = follower.refresh()
    times.append(Double(now() - start) / 1e6)
  }
  return (first, median(times))
}
