// `tunetop-bench runs [--count N]`: how long the runs screen takes to open with N runs on disk.
//
// Generates N run directories (config.yaml, summary.json, 40 epochs of metrics.csv, as real runs
// write them) in a temporary directory, then times the three steps of pressing `6`: listing the
// runs directory, reducing the listing into the view state, and rendering the first frame at
// 200×60. The page cache is warm after generating, as it is on a box where runs were just made.

import Dashboard
import Foundation
import Training

func runRuns(arguments: [String]) {
  let count = intOption("--count", in: arguments) ?? 1000
  let root = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-runs-bench-\(getpid())")
  defer { try? FileManager.default.removeItem(at: root) }
  let generateStart = now()
  do {
    try generateRuns(count: count, root: root)
  } catch {
    print("tunetop-bench runs: cannot generate runs in \(root.path): \(error)")
    exit(1)
  }
  let generateSeconds = Double(now() - generateStart) / 1e9

  // Opening the screen: the first frame from a listing without configs (what the dashboard shows
  // first), then the full listing into a cold cache, then a refresh with nothing changed.
  var listing: [Double] = []
  var reducing: [Double] = []
  var rendering: [Double] = []
  var fullListing: [Double] = []
  var refreshing: [Double] = []
  var listed = 0
  for _ in 0..<7 {
    let start = now()
    let records = RunCatalog.list(runs: root, readingSettings: false)
    let afterList = now()
    var state = DashboardState(settings: HyperParameters(), width: 200, height: 60)
    _ = reduce(&state, .showScreen(.runs))
    _ = reduce(&state, .runsLoaded(records))
    let afterReduce = now()
    var buffer = ScreenBuffer(width: 200, height: 60)
    render(state, into: &buffer)
    let afterRender = now()
    let cache = RunCatalogCache()
    let full = cache.list(runs: root)
    let afterFull = now()
    _ = cache.list(runs: root)
    let afterRefresh = now()
    listed = full.count
    listing.append(Double(afterList - start) / 1e6)
    reducing.append(Double(afterReduce - afterList) / 1e6)
    rendering.append(Double(afterRender - afterReduce) / 1e6)
    fullListing.append(Double(afterFull - afterRender) / 1e6)
    refreshing.append(Double(afterRefresh - afterFull) / 1e6)
  }
  // Where the listing's time goes: the two files it reads in every run.
  let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter {
    !$0.hasPrefix(".")
  }
  var configs: [Double] = []
  var summaries: [Double] = []
  for _ in 0..<3 {
    let start = now()
    for name in names {
      _ = try? RunConfigReader.read(path: root.appendingPathComponent(name + "/config.yaml").path)
    }
    let middle = now()
    for name in names {
      _ = (try? Data(contentsOf: root.appendingPathComponent(name + "/summary.json")))
        .flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }
    }
    configs.append(Double(middle - start) / 1e6)
    summaries.append(Double(now() - middle) / 1e6)
  }
  let total = zip(zip(listing, reducing), rendering).map { $0.0 + $0.1 + $1 }
  emit(
    json([
      ("bench", "runs-screen-open"), ("runs", listed), ("samples", total.count),
      ("first_frame_ms", median(total)), ("first_frame_max_ms", total.max() ?? 0),
      ("list_without_configs_ms", median(listing)), ("reduce_ms", median(reducing)),
      ("render_ms", median(rendering)), ("full_list_cold_ms", median(fullListing)),
      ("refresh_unchanged_ms", median(refreshing)), ("configs_serial_ms", median(configs)),
      ("summaries_serial_ms", median(summaries)), ("generate_s", generateSeconds),
    ]))
}

/// Run directories as the trainer leaves them, with a spread of settings, statuses and results.
private func generateRuns(count: Int, root: URL) throws {
  let start = Date(timeIntervalSince1970: 1_790_000_000)
  let statuses: [RunStatus] = [.completed, .earlyStopped, .stopped, .running, .diverged]
  for index in 0..<count {
    var settings = HyperParameters()
    settings.learningRate = [1e-3, 3e-3, 3e-4, 1e-2][index % 4]
    settings.dropout = [0.1, 0, 0.2][index % 3]
    if index % 5 == 0 { settings.frozen = ["hidden1"] }
    let directory = try RunDirectory(
      root: root, name: settings.shortRunName(), hyperParameters: settings,
      date: start.addingTimeInterval(Double(index) * 97))
    var best = Double.infinity
    var bestEpoch = 0
    var metrics = RunDirectory.metricsHeader + "\n"
    for epoch in 0...40 {
      let loss =
        0.3 + 0.9 * exp(-0.15 * Double(epoch)) + 0.002 * Double(index % 17) + 0.004
        * Double(max(0, epoch - 20))
      if loss < best {
        best = loss
        bestEpoch = epoch
      }
      metrics +=
        "\(epoch),\(epoch * 7),\(loss * 0.8),0.9,\(loss),0.8,\(settings.learningRate),\(Double(epoch) * 0.3)\n"
    }
    try AtomicFile.write(
      Data(metrics.utf8), to: directory.url.appendingPathComponent("metrics.csv"), durable: false)
    // `running` with a pid that does not exist: a killed run, which the listing must tell apart.
    try directory.writeSummary(
      RunSummary(
        status: statuses[index % statuses.count], epochsRun: 40, bestEpoch: bestEpoch,
        bestValidationLoss: best, bestValidationAccuracy: 0.8, samplesPerSecond: 1500, wallSeconds: 12,
        steps: 280, writer: RunWriter(pid: Int32.max - 1, started: nil, host: RunWriter.current.host)))
  }
}
