import Foundation

/// What a search directory's `search.json` says about the search as a whole: who runs it, how it
/// samples and prunes, how many trials it plans and which keys it searches.
///
/// Written by `tunetop search` (local or `--backend ray`) with a `space` of tunetop's keys, and by
/// the Python package's Ray Tune and Optuna callbacks with `backend` and, for Optuna, a `space` of
/// the study's own parameter names; every field but `id` may be missing.
public struct SearchDirectoryHeader: Sendable, Equatable {
  public var id: String
  /// `tunetop` for a local search, `ray` or `optuna` for the others.
  public var backend: String
  public var sampler: String?
  public var pruner: String?
  public var plannedTrials: Int?
  /// The searched keys in the order the record gives them; empty when it names none.
  public var spaceKeys: [String]
  /// The space as tunetop's own search space, when every key is one of tunetop's config keys.
  public var space: SearchSpace?
  /// Set by a writer that knows the search is over (the Ray Tune callback at the experiment's end).
  public var finished: Bool

  public init(id: String, backend: String = "tunetop") {
    self.id = id
    self.backend = backend
    spaceKeys = []
    finished = false
  }

  /// The header of `search.json` in `directory`; a missing or unreadable file gives a header with
  /// only the directory's name as id, so a search whose record is not written yet is still shown.
  public static func read(_ directory: URL) -> SearchDirectoryHeader {
    var header = SearchDirectoryHeader(id: directory.lastPathComponent)
    guard let data = try? Data(contentsOf: directory.appendingPathComponent("search.json")),
      let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { return header }
    if let backend = object["backend"] as? String { header.backend = backend }
    header.sampler = object["sampler"] as? String
    header.pruner = object["pruner"] as? String
    header.plannedTrials = (object["planned_trials"] as? NSNumber)?.intValue
    header.finished = (object["finished"] as? Bool) ?? false
    let entries = (object["space"] as? [[String: Any]]) ?? []
    header.spaceKeys = entries.compactMap { $0["key"] as? String }
    let dimensions = entries.compactMap(dimension)
    if !dimensions.isEmpty && dimensions.count == entries.count { header.space = SearchSpace(dimensions) }
    return header
  }

  /// One entry of `space` as `SearchRecordFile` writes it; nil for a key tunetop does not have.
  static func dimension(_ entry: [String: Any]) -> SearchDimension? {
    guard let name = entry["key"] as? String, let key = ConfigKey.named(name) else { return nil }
    if let low = (entry["low"] as? NSNumber)?.doubleValue,
      let high = (entry["high"] as? NSNumber)?.doubleValue
    {
      return SearchDimension(
        key: key, domain: .range(low: low, high: high, log: (entry["log"] as? Bool) ?? false))
    }
    if let choices = entry["choices"] as? [Any] {
      return SearchDimension(key: key, domain: .choices(choices.map { "\($0)" }))
    }
    if let value = entry["value"] { return SearchDimension(key: key, domain: .fixed("\(value)")) }
    return nil
  }
}

/// Follows a search directory written by any process — `tunetop search` run elsewhere, a Ray
/// search, the Ray Tune or Optuna callbacks — and turns it into the `SearchSnapshot` the Search
/// view draws, reading only what changed since the last `refresh()`.
///
/// A class used from one thread at a time (the dashboard's search reader thread).
public final class SearchDirectoryFollower {
  public let directory: URL
  public private(set) var header: SearchDirectoryHeader
  private var cache = SearchDirectoryCache()
  private var recordStamp: FileStamp?
  private var recordReadAt: ContinuousClock.Instant?
  /// `search.json` of a Ray search is rewritten twice a second; its header changes only when the
  /// search ends, so it is parsed again at most this often.
  static let recordInterval = Duration.seconds(5)

  public init(directory: URL) {
    self.directory = directory
    header = SearchDirectoryHeader.read(directory)
    recordStamp = FileStamp(directory.appendingPathComponent("search.json"))
    recordReadAt = ContinuousClock.now
  }

  /// Whether `url` is a search directory: one with a `search.json`.
  public static func isSearchDirectory(_ url: URL) -> Bool {
    FileManager.default.fileExists(atPath: url.appendingPathComponent("search.json").path)
  }

  /// The search as it stands on disk now.
  public func refresh() -> SearchSnapshot {
    rereadHeaderIfChanged()
    var trials = cache.trials(in: directory, space: header.space, id: header.id)
    if header.space == nil || trials.contains(where: { $0.summary?.isTunetopRun == false }) {
      trials = Self.projected(trials, onto: header.spaceKeys)
    }
    let planned = max(header.plannedTrials ?? 0, trials.count)
    let ended = trials.allSatisfy { $0.status.isFinal || $0.writerGone }
    let reported = FileManager.default.fileExists(atPath: directory.appendingPathComponent("report.txt").path)
    let allPlannedRan = header.plannedTrials.map { trials.count >= $0 } ?? false
    return SearchSnapshot(
      id: header.id, directory: directory.path, plannedTrials: planned, trials: trials,
      isFinished: ended && (reported || header.finished || allPlannedRan), stopRequested: false)
  }

  private func rereadHeaderIfChanged() {
    let stamp = FileStamp(directory.appendingPathComponent("search.json"))
    guard stamp != recordStamp else { return }
    if let last = recordReadAt, ContinuousClock.now - last < Self.recordInterval, header.spaceKeys.count > 0 {
      return
    }
    recordStamp = stamp
    recordReadAt = ContinuousClock.now
    header = SearchDirectoryHeader.read(directory)
  }

  /// Trials whose parameters are another trainer's whole config: only the keys the search names,
  /// else those whose value differs between trials (every key while there is only one trial), the
  /// learning rate first, since the rest of a Ray Tune config is usually the same in every trial.
  static func projected(_ trials: [SearchTrial], onto named: [String]) -> [SearchTrial] {
    var keys = named
    if keys.isEmpty {
      var values: [String: Set<String>] = [:]
      var order: [String] = []
      for trial in trials {
        for parameter in trial.parameters {
          if values[parameter.key] == nil { order.append(parameter.key) }
          values[parameter.key, default: []].insert(parameter.value)
        }
      }
      keys = trials.count < 2 ? order : order.filter { (values[$0]?.count ?? 0) > 1 || isLearningRateKey($0) }
      keys.sort { (isLearningRateKey($0) ? 0 : 1, $0) < (isLearningRateKey($1) ? 0 : 1, $1) }
    }
    return trials.map { trial in
      var trial = trial
      trial.parameters = keys.map { key in
        trial.parameters.first { $0.key == key } ?? SearchParameter(key: key, value: "-")
      }
      return trial
    }
  }

  /// Whether a config key of any trainer names the learning rate: `learning_rate`, `lr`, `optimizer.lr`,
  /// `base_lr`, `lr_head`, `learning-rate`.
  public static func isLearningRateKey(_ key: String) -> Bool {
    let last = (key.split(separator: ".").last.map(String.init) ?? key).lowercased()
      .replacingOccurrences(of: "-", with: "_")
    return last == "lr" || last == "learning_rate" || last == "learningrate" || last.hasSuffix("_lr")
      || last.hasPrefix("lr_")
  }
}

/// Reads a search's trials again on every refresh, but only what changed: the directory is listed
/// again only when its own mtime moved (a trial directory was added); a running trial's
/// `summary.json` and `metrics.csv` are `stat`ed and re-read when they changed, `metrics.csv` from
/// the last byte read; its `config.yaml` is read once. A trial that has ended is not looked at again
/// for `finalRecheck` refreshes (a resumed trial turns live again within that many), so a refresh
/// of a search of N trials with K running costs about K `stat` pairs, not N.
public struct SearchDirectoryCache: Sendable {
  private struct Entry: Sendable {
    var summaryStamp: FileStamp
    var metricsStamp: FileStamp?
    /// Bytes of `metrics.csv` parsed so far, the end of its last complete line.
    var metricsOffset: Int64 = 0
    var metricsParser = MetricsRowParser()
    var trial: SearchTrial?
    var checkedAt: Int
  }
  private var entries: [String: Entry] = [:]
  private var names: [String] = []
  private var directoryStamp: FileStamp?
  private var refreshes = 0
  /// Ended trials are `stat`ed again every this many refreshes (~10 s at the view's 0.5 s).
  public static let finalRecheck = 20

  public init() {}

  /// Every trial of the search in `directory` (by `summary.json`'s `search` and `trial`), by number.
  /// With `space`, each trial's parameters are its `config.yaml` values of those keys (tunetop's own
  /// trials); without, every key of its `config.yaml` (another trainer's).
  public mutating func trials(in directory: URL, space: SearchSpace?, id: String? = nil) -> [SearchTrial] {
    refreshes += 1
    let id = id ?? directory.lastPathComponent
    let stamp = FileStamp(directory)
    if stamp == nil || stamp != directoryStamp {
      directoryStamp = stamp
      names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { !$0.hasPrefix(".") }
    }
    var trials: [SearchTrial] = []
    var seen: [String: Entry] = [:]
    for name in names {
      if let entry = entries[name], entry.trial?.status.isFinal ?? true,
        refreshes - entry.checkedAt < Self.finalRecheck
      {
        // Ended (or not a trial of this search): its files do not change any more.
        seen[name] = entry
        if let trial = entry.trial { trials.append(trial) }
        continue
      }
      let run = directory.appendingPathComponent(name)
      // Not a directory with a summary (search.json, base.yaml, a trial not started yet).
      guard let summaryStamp = FileStamp(run.appendingPathComponent("summary.json")) else { continue }
      var entry: Entry
      if let cached = entries[name], cached.summaryStamp == summaryStamp, cached.trial != nil {
        entry = cached
      } else if let cached = entries[name], cached.trial != nil,
        let summary = RunCatalog.readSummary(run), summary.search == id
      {
        entry = cached
        entry.summaryStamp = summaryStamp
        entry.trial?.status = summary.status
        entry.trial?.summary = summary
        entry.trial?.reason = summary.reason
      } else {
        entry = Entry(
          summaryStamp: summaryStamp,
          trial: SearchDirectoryScan.trial(at: run, id: id, space: space),
          checkedAt: refreshes)
      }
      entry.checkedAt = refreshes
      if entry.trial != nil { Self.readMetrics(of: run, into: &entry) }
      if var trial = entry.trial {
        trial.writerGone = !trial.status.isFinal && !(trial.summary?.writer?.isAlive ?? true)
        entry.trial = trial
        trials.append(trial)
      }
      seen[name] = entry
    }
    entries = seen
    return trials.sorted { $0.number < $1.number }
  }

  /// Appends the validation points `metrics.csv` gained since the last read (all of it when the
  /// file shrank, which only a replaced file does).
  private static func readMetrics(of run: URL, into entry: inout Entry) {
    let url = run.appendingPathComponent("metrics.csv")
    let stamp = FileStamp(url)
    guard stamp != entry.metricsStamp else { return }
    if let stamp, let old = entry.metricsStamp, stamp.size < old.size || stamp.inode != old.inode {
      entry.metricsOffset = 0
      entry.metricsParser = MetricsRowParser()
      entry.trial?.validationLosses = []
      entry.trial?.validationAccuracies = []
    }
    entry.metricsStamp = stamp
    let lines = AppendedLines(url: url, offset: entry.metricsOffset)
    for line in lines.read() {
      // A trial's curve is per epoch, as its pruner compares trials; mid-epoch evaluations are left out.
      guard let row = entry.metricsParser.parse(Substring(line)), row.epoch > 0, row.isEpochEnd else {
        continue
      }
      entry.trial?.validationLosses.append(row.validationLoss)
      entry.trial?.validationAccuracies.append(row.validationAccuracy)
    }
    entry.metricsOffset = lines.offset
  }
}
