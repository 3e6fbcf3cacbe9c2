import Foundation
import Testing

@testable import Training

/// A search directory as the Python package's Optuna or Ray Tune callback writes it: search.json
/// without tunetop's space, one run per trial with the study's own keys in config.yaml.
private struct CallbackSearch {
  let url: URL

  init(in scratch: ScratchDirectory, record: String) throws {
    url = scratch.url.appendingPathComponent("20261130-070000-search-optuna")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try Data(record.utf8).write(to: url.appendingPathComponent("search.json"))
  }

  /// Writes trial `number`'s run; `pid` names its writer (this process: alive).
  @discardableResult
  func trial(
    _ number: Int, lr: Double, width: Int, status: String, losses: [Double], pid: Int32 = getpid(),
    pidStarted: UInt64? = nil, node: String? = nil
  ) throws -> URL {
    let run = url.appendingPathComponent(String(format: "20261130-0700%02d-t%02d", number, number))
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try Data("lr: \(lr)\nwidth: \(width)\nseed: 0\n".utf8).write(
      to: run.appendingPathComponent("config.yaml"))
    try writeMetrics(run, losses)
    try writeSummary(
      run, number: number, status: status, pid: pid, pidStarted: pidStarted, node: node, best: losses.min())
    return run
  }

  func writeMetrics(_ run: URL, _ losses: [Double]) throws {
    var text = "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds\n"
    for (index, loss) in losses.enumerated() { text += "\(index + 1),\(index + 1),,,\(loss),,,\n" }
    try Data(text.utf8).write(to: run.appendingPathComponent("metrics.csv"))
  }

  func writeSummary(
    _ run: URL, number: Int, status: String, pid: Int32 = getpid(), pidStarted: UInt64? = nil,
    node: String? = nil, best: Double? = nil
  ) throws {
    var fields = [
      #""format": 2"#, #""source": "pytorch""#, "\"status\": \"\(status)\"",
      "\"search\": \"\(url.lastPathComponent)\"", "\"trial\": \(number)", "\"pid\": \(pid)",
      "\"host\": \"\(RunWriter.current.host)\"",
    ]
    if let pidStarted { fields.append("\"pid_started\": \(pidStarted)") }
    if let node { fields.append("\"node\": \"\(node)\"") }
    if let best { fields.append("\"best_val_loss\": \(best)") }
    try AtomicFile.write(
      Data(("{" + fields.joined(separator: ", ") + "}\n").utf8),
      to: run.appendingPathComponent("summary.json"))
  }
}

/// The callbacks' search.json names no tunetop space: the trials' parameters are the keys whose
/// values differ between trials, the learning rate first, and the learning rate is found by name.
@Test func aCallbackSearchShowsTheKeysThatVaryWithTheLearningRateFirst() throws {
  let scratch = ScratchDirectory()
  let search = try CallbackSearch(in: scratch, record: #"{"id": "x", "backend": "ray", "trials": []}"#)
  try search.trial(1, lr: 0.01, width: 16, status: "completed", losses: [0.9, 0.5, 0.4], node: "node-a")
  try search.trial(2, lr: 0.3, width: 64, status: "pruned", losses: [1.2], node: "node-b")
  let follower = SearchDirectoryFollower(directory: search.url)
  #expect(follower.header.backend == "ray" && follower.header.space == nil)
  let snapshot = follower.refresh()
  #expect(snapshot.id == search.url.lastPathComponent)
  #expect(snapshot.trials.map(\.number) == [1, 2])
  #expect(snapshot.trials[0].parameters.map(\.key) == ["lr", "width"])  // seed is the same in both
  #expect(snapshot.trials[1].parameters.map(\.value) == ["0.3", "64"])
  #expect(snapshot.trials[0].validationLosses == [0.9, 0.5, 0.4])
  #expect(snapshot.trials[1].status == .pruned)
  #expect(snapshot.trials.map { $0.summary?.node } == ["node-a", "node-b"])
  #expect(snapshot.bestTrial == 1)
  // Nothing says the search ended: no report, no plan, no `finished`.
  #expect(!snapshot.isFinished)
  for key in ["lr", "learning_rate", "optimizer.lr", "base_lr", "lr_head", "Learning-Rate"] {
    #expect(SearchDirectoryFollower.isLearningRateKey(key), "\(key)")
  }
  for key in ["width", "clr", "layers"] { #expect(!SearchDirectoryFollower.isLearningRateKey(key), "\(key)") }
}

/// With the space Optuna's callback writes, exactly its keys are shown in its order, and the search
/// is over once its planned trials have all ended.
@Test func anOptunaSearchUsesItsSpaceAndEndsWithItsPlannedTrials() throws {
  let scratch = ScratchDirectory()
  let search = try CallbackSearch(
    in: scratch,
    record: #"""
      {"id": "x", "backend": "optuna", "sampler": "TPESampler", "pruner": "MedianPruner", "planned_trials": 2,
       "space": [{"key": "width", "choices": ["16", "64"]}, {"key": "lr", "low": 1e-4, "high": 1, "log": true}]}
      """#)
  try search.trial(1, lr: 0.01, width: 16, status: "completed", losses: [0.9, 0.5])
  let follower = SearchDirectoryFollower(directory: search.url)
  #expect(follower.header.sampler == "TPESampler" && follower.header.plannedTrials == 2)
  var snapshot = follower.refresh()
  #expect(snapshot.trials[0].parameters.map(\.key) == ["width", "lr"])
  #expect(snapshot.plannedTrials == 2 && !snapshot.isFinished)
  try search.trial(2, lr: 0.02, width: 16, status: "pruned", losses: [1.1])
  snapshot = follower.refresh()
  #expect(snapshot.trials.count == 2 && snapshot.isFinished)
}

/// A refresh reads what changed: a new trial directory, the rows appended to a running trial's
/// metrics.csv (from where the last read ended), its summary when it ends; a trial whose summary
/// says running but whose writer is gone is marked, as the runs view says `killed`.
@Test func aRefreshReadsNewTrialsAppendedRowsAndEndings() throws {
  let scratch = ScratchDirectory()
  let search = try CallbackSearch(in: scratch, record: #"{"id": "x", "backend": "ray"}"#)
  let running = try search.trial(1, lr: 0.01, width: 16, status: "running", losses: [0.9])
  let follower = SearchDirectoryFollower(directory: search.url)
  var snapshot = follower.refresh()
  #expect(snapshot.trials.map(\.validationLosses) == [[0.9]])
  #expect(snapshot.trials[0].status == .running && !snapshot.trials[0].writerGone)

  let metrics = try FileHandle(forWritingTo: running.appendingPathComponent("metrics.csv"))
  try metrics.seekToEnd()
  try metrics.write(contentsOf: Data("2,2,,,0.7,,,\n3,3,,,0.6".utf8))  // the last row still torn
  snapshot = follower.refresh()
  #expect(snapshot.trials[0].validationLosses == [0.9, 0.7])
  try metrics.write(contentsOf: Data(",,,\n".utf8))
  try metrics.close()
  snapshot = follower.refresh()
  #expect(snapshot.trials[0].validationLosses == [0.9, 0.7, 0.6])

  // A writer whose process is not the one that started the run (another start time) is gone.
  try search.trial(2, lr: 0.2, width: 64, status: "running", losses: [], pidStarted: 1)
  snapshot = follower.refresh()
  #expect(snapshot.trials.map(\.number) == [1, 2])
  #expect(snapshot.trials[1].writerGone && snapshot.trials[1].validationLosses.isEmpty)

  try search.writeSummary(running, number: 1, status: "completed")
  snapshot = follower.refresh()
  #expect(snapshot.trials[0].status == .completed)
}

/// An ended trial is not looked at again on every refresh (its files do not change), only every
/// `finalRecheck` refreshes, which is how a resumed trial is noticed.
@Test func anEndedTrialIsRecheckedOnlyNowAndThen() throws {
  let scratch = ScratchDirectory()
  let search = try CallbackSearch(in: scratch, record: #"{"id": "x"}"#)
  let run = try search.trial(1, lr: 0.01, width: 16, status: "stopped", losses: [0.9])
  var cache = SearchDirectoryCache()
  #expect(cache.trials(in: search.url, space: nil).first?.status == .stopped)
  try search.writeSummary(run, number: 1, status: "running")
  #expect(cache.trials(in: search.url, space: nil).first?.status == .stopped)
  var status: RunStatus?
  for _ in 0..<SearchDirectoryCache.finalRecheck {
    status = cache.trials(in: search.url, space: nil).first?.status
  }
  #expect(status == .running)
}
