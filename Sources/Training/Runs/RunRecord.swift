import Foundation
import Synchronization

/// One run directory as a listing sees it: how it ended, its best result and how it was configured.
public struct RunRecord: Sendable, Equatable {
  public var name: String
  public var path: String
  /// From the directory name's `yyyyMMdd-HHmmss` prefix.
  public var started: Date?
  public var summary: RunSummary?
  /// The run's resolved settings, when its `config.yaml` reads.
  public var settings: HyperParameters?
  /// `key=value` for every setting of a run written by another trainer, whose config keys are not
  /// tunetop's; empty for tunetop's runs.
  public var foreignSettings: [String] = []
  /// True when a process is still writing this run.
  public var isLive: Bool

  /// What a person should read in the status column: a run whose writer died shows as `killed`.
  public var statusText: String {
    guard let summary else { return "unreadable" }
    if summary.status == .running || summary.status == .paused {
      return isLive ? summary.status.rawValue : "killed"
    }
    return summary.status.rawValue
  }

  /// Which program wrote the run (`summary.json`'s `source`): tunetop, pytorch, transformers, lightning.
  public var source: String { summary?.source ?? RunSource.tunetop }

  /// `key=value` for every setting that differs from the defaults; every setting of another
  /// trainer's run, which has no defaults to differ from.
  public var differences: [String] {
    guard let settings else { return foreignSettings }
    return settings.nonDefaultKeys().map { "\($0.name)=\(settings.value(of: $0))" }
  }

  /// Whether every word of `filter` occurs, ignoring case, in the run's name, its status or one of its
  /// changed settings: `killed`, `lr3e-3 dropout=0`, `search-tpe/`. An empty filter matches every run.
  public func matches(_ filter: String) -> Bool {
    let words = filter.lowercased().split(whereSeparator: \.isWhitespace)
    guard !words.isEmpty else { return true }
    let fields = ([name, statusText, source] + differences).map { $0.lowercased() }
    return words.allSatisfy { word in fields.contains { $0.contains(word) } }
  }
}

/// Reads every run under a runs directory.
public enum RunCatalog {
  /// Every run under `runs`, by name. Without `readingSettings` the configs are skipped (no
  /// `settings`, no `differences`), which makes the listing several times faster.
  public static func list(runs: URL, readingSettings: Bool = true) -> [RunRecord] {
    let urls = runNames(runs).map { runs.appendingPathComponent($0) }
    return readDirectories(urls) { record(at: $0, readingSettings: readingSettings) }.compactMap { $0 }
  }

  /// `read` of each of `urls` that is a directory (nil for a stray file or a run deleted meanwhile),
  /// in order. Runs are read on every core: a listing of a thousand runs is a thousand small file
  /// reads and parses, each independent of the others.
  static func readDirectories<Value: Sendable>(_ urls: [URL], _ read: @Sendable (URL) -> Value) -> [Value?] {
    let slots = Mutex<[Value?]>(Array(repeating: nil, count: urls.count))
    DispatchQueue.concurrentPerform(iterations: urls.count) { index in
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: urls[index].path, isDirectory: &isDirectory),
        isDirectory.boolValue
      else { return }
      let value = read(urls[index])
      slots.withLock { $0[index] = value }
    }
    return slots.withLock { $0 }
  }

  /// The visible entries of a runs directory, sorted; hidden ones are runs still being created.
  /// A search directory stands for its trials (`<search>/<trial>`), which are the runs in it.
  static func runNames(_ runs: URL) -> [String] {
    visibleEntries(runs).flatMap { name -> [String] in
      let url = runs.appendingPathComponent(name)
      guard isSearchDirectory(url) else { return [name] }
      return visibleEntries(url).map { name + "/" + $0 }
    }
  }

  static func visibleEntries(_ directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { !$0.hasPrefix(".") }.sorted()
  }

  /// `tunetop search` writes `search.json` and never a `summary.json` there; the name is checked
  /// first so a listing stats no extra file for an ordinary run.
  static func isSearchDirectory(_ url: URL) -> Bool {
    url.lastPathComponent.contains("-search-")
      && access(url.appendingPathComponent("search.json").path, F_OK) == 0
      && access(url.appendingPathComponent("summary.json").path, F_OK) != 0
  }

  public static func record(at url: URL, readingSettings: Bool = true) -> RunRecord {
    let summary = readSummary(url)
    let config = readingSettings ? readConfig(url, summary: summary) : RunConfig()
    return record(at: url, summary: summary, config: config)
  }

  /// A run's settings: tunetop's keys for its own runs, `key=value` pairs for other trainers'.
  struct RunConfig: Sendable {
    var settings: HyperParameters?
    var foreign: [String] = []
  }

  static func readConfig(_ run: URL, summary: RunSummary?) -> RunConfig {
    guard let summary, !summary.isTunetopRun else { return RunConfig(settings: readSettings(run)) }
    return RunConfig(foreign: ForeignConfig.read(path: run.appendingPathComponent("config.yaml").path))
  }

  static func readSummary(_ run: URL) -> RunSummary? {
    (try? Data(contentsOf: run.appendingPathComponent("summary.json")))
      .flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }
  }

  static func readSettings(_ run: URL) -> HyperParameters? {
    try? RunConfigReader.read(path: run.appendingPathComponent("config.yaml").path)
  }

  /// A record from files already read; whether the writer is alive is asked anew every time.
  static func record(at url: URL, summary: RunSummary?, config: RunConfig) -> RunRecord {
    var live = false
    if let summary, !summary.status.isFinal, let writer = summary.writer {
      live = writer.isAlive
    }
    // A trial is named with its search in front, as the listing finds it and a person can place it.
    var name = url.lastPathComponent
    if let search = summary?.search, url.deletingLastPathComponent().lastPathComponent == search {
      name = search + "/" + name
    }
    return RunRecord(
      name: name, path: url.path,
      started: startDate(of: url.lastPathComponent),
      summary: summary, settings: config.settings, foreignSettings: config.foreign, isLive: live)
  }

  /// The local time in a `yyyyMMdd-HHmmss` prefix, read with `mktime`: a date formatter costs
  /// more than reading the whole run, and a listing does this once per run.
  static func startDate(of name: String) -> Date? {
    let bytes = Array(name.utf8.prefix(15))
    guard bytes.count == 15, bytes[8] == UInt8(ascii: "-") else { return nil }
    func number(_ range: Range<Int>) -> Int32? {
      var value: Int32 = 0
      for byte in bytes[range] {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int32(byte - UInt8(ascii: "0"))
      }
      return value
    }
    guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
      let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var time = tm()
    time.tm_year = year - 1900
    time.tm_mon = month - 1
    time.tm_mday = day
    time.tm_hour = hour
    time.tm_min = minute
    time.tm_sec = second
    time.tm_isdst = -1
    let seconds = mktime(&time)
    return seconds == -1 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds))
  }

  /// The columns a listing can be sorted by.
  public enum SortColumn: String, CaseIterable, Sendable {
    case name, started, status, epochs
    case valLoss = "val_loss"
    case valAccuracy = "val_accuracy"
    case wall
  }

  /// Sorts runs by `column`; losses ascend, accuracies descend, so the best comes first.
  public static func sorted(_ records: [RunRecord], by column: SortColumn) -> [RunRecord] {
    func number(_ value: Double?) -> Double { value.flatMap { $0.isFinite ? $0 : nil } ?? .infinity }
    // Ties (trials started in the same second, runs of equal epochs) fall back to the path, newest
    // first as for `started`, so the order is the same on every listing.
    func order<Key: Comparable>(_ x: Key, _ y: Key, _ before: (Key, Key) -> Bool, tie: Bool) -> Bool {
      x != y ? before(x, y) : tie
    }
    return records.sorted { (a: RunRecord, b: RunRecord) -> Bool in
      let tie = a.path > b.path
      switch column {
      case .name: return a.name < b.name
      case .started: return order(a.started ?? .distantPast, b.started ?? .distantPast, >, tie: tie)
      case .status: return (a.statusText, a.name) < (b.statusText, b.name)
      case .epochs: return order(a.summary?.epochsRun ?? -1, b.summary?.epochsRun ?? -1, >, tie: tie)
      case .valLoss:
        return order(
          number(a.summary?.bestValidationLoss), number(b.summary?.bestValidationLoss), <, tie: tie)
      case .valAccuracy:
        return order(
          number(a.summary.map { -$0.bestValidationAccuracy }),
          number(b.summary.map { -$0.bestValidationAccuracy }),
          <, tie: tie)
      case .wall: return order(a.summary?.wallSeconds ?? 0, b.summary?.wallSeconds ?? 0, >, tie: tie)
      }
    }
  }
}
