import Foundation

/// Keeps what was read of each run between listings, so a screen that refreshes every second
/// re-reads only the runs whose `summary.json` or `config.yaml` changed since (by size and mtime).
///
/// A class used from one thread at a time (the dashboard's runs reader); reading the changed runs
/// fans out to every core through `RunCatalog.readDirectories`.
public final class RunCatalogCache {
  struct Entry: Sendable {
    var summaryStamp: FileStamp?
    var configStamp: FileStamp?
    var summary: RunSummary?
    var config: RunCatalog.RunConfig
  }

  private var entries: [String: Entry] = [:]

  public init() {}

  /// True before the first listing, when every run must still be read.
  public var isEmpty: Bool { entries.isEmpty }

  /// Every run under `runs`, as `RunCatalog.list` gives them, reading only what changed.
  public func list(runs: URL) -> [RunRecord] {
    let urls = RunCatalog.runNames(runs).map { runs.appendingPathComponent($0) }
    let stamps = urls.map {
      (
        summary: FileStamp($0.appendingPathComponent("summary.json")),
        config: FileStamp($0.appendingPathComponent("config.yaml"))
      )
    }
    let stale = urls.indices.filter { index in
      guard let entry = entries[urls[index].path] else { return true }
      return entry.summaryStamp != stamps[index].summary || entry.configStamp != stamps[index].config
    }
    let staleSet = Set(stale)
    let reread = RunCatalog.readDirectories(stale.map { urls[$0] }) { url in
      let summary = RunCatalog.readSummary(url)
      return (summary: summary, config: RunCatalog.readConfig(url, summary: summary))
    }
    var read: [Int: Entry] = [:]
    for (position, index) in stale.enumerated() {
      guard let files = reread[position] else { continue }
      read[index] = Entry(
        summaryStamp: stamps[index].summary, configStamp: stamps[index].config, summary: files.summary,
        config: files.config)
    }
    var kept: [String: Entry] = [:]
    var records: [RunRecord] = []
    for index in urls.indices {
      let path = urls[index].path
      guard let entry = read[index] ?? (staleSet.contains(index) ? nil : entries[path]) else { continue }
      kept[path] = entry
      records.append(RunCatalog.record(at: urls[index], summary: entry.summary, config: entry.config))
    }
    // Runs deleted on disk drop out of the cache too.
    entries = kept
    return records
  }
}
