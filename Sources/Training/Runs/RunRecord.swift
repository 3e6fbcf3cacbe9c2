import Foundation

/// One run directory as a listing sees it: how it ended, its best result and how it was configured.
public struct RunRecord: Sendable, Equatable {
  public var name: String
  public var path: String
  /// From the directory name's `yyyyMMdd-HHmmss` prefix.
  public var started: Date?
  public var summary: RunSummary?
  /// The run's resolved settings, when its `config.yaml` reads.
  public var settings: HyperParameters?
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

  /// `key=value` for every setting that differs from the defaults.
  public var differences: [String] {
    guard let settings else { return [] }
    return settings.nonDefaultKeys().map { "\($0.name)=\(settings.value(of: $0))" }
  }
}

/// Reads every run under a runs directory.
public enum RunCatalog {
  public static func list(runs: URL) -> [RunRecord] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? [])
      .filter { !$0.hasPrefix(".") }.sorted()
    return names.compactMap { name in
      let url = runs.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue
      else { return nil }
      return record(at: url)
    }
  }

  public static func record(at url: URL) -> RunRecord {
    let summary = (try? Data(contentsOf: url.appendingPathComponent("summary.json")))
      .flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }
    let settings = try? HyperParameters.load(path: url.appendingPathComponent("config.yaml").path)
    var live = false
    if let summary, !summary.status.isFinal, let pid = summary.pid {
      // kill(pid, 0) asks whether the process exists without signalling it.
      live = kill(pid, 0) == 0 || errno == EPERM
    }
    return RunRecord(
      name: url.lastPathComponent, path: url.path, started: startDate(of: url.lastPathComponent),
      summary: summary, settings: settings, isLive: live)
  }

  static func startDate(of name: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    return formatter.date(from: String(name.prefix(15)))
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
    return records.sorted { (a: RunRecord, b: RunRecord) -> Bool in
      switch column {
      case .name: return a.name < b.name
      case .started: return (a.started ?? .distantPast) > (b.started ?? .distantPast)
      case .status: return (a.statusText, a.name) < (b.statusText, b.name)
      case .epochs: return (a.summary?.epochsRun ?? -1) > (b.summary?.epochsRun ?? -1)
      case .valLoss: return number(a.summary?.bestValidationLoss) < number(b.summary?.bestValidationLoss)
      case .valAccuracy:
        return number(a.summary.map { -$0.bestValidationAccuracy })
          < number(b.summary.map { -$0.bestValidationAccuracy })
      case .wall: return (a.summary?.wallSeconds ?? 0) > (b.summary?.wallSeconds ?? 0)
      }
    }
  }
}
