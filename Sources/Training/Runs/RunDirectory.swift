import Foundation

/// One run on disk (DESIGN §9): creates `runs/<yyyyMMdd-HHmmss>-<name>/` and keeps its files current.
///
/// Every file is replaced atomically or appended a whole line at a time, so a process killed at any
/// moment leaves each completed epoch readable and never a truncated checkpoint.
public final class RunDirectory {
  public let url: URL
  public let name: String
  private let metricsURL: URL
  private let eventsURL: URL
  /// The run this one was forked from; written into `summary.json` and atop `config.yaml`.
  public let parent: RunParent?

  /// Column order of `metrics.csv`.
  public static let metricsHeader =
    "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"
  /// The columns of `metrics.csv` every writer puts first, in order.
  public static let metricsColumns = metricsHeader.split(separator: ",").map(String.init)

  /// Creates a fresh directory under `root`; the name gets a numeric suffix if the second is taken.
  ///
  /// The directory is assembled under a hidden temporary name — metrics header, `summary.json`
  /// saying `running` and, when given, `config.yaml` — and renamed into place, so a process killed
  /// during creation leaves either nothing or a complete directory.
  public init(
    root: URL, name: String, hyperParameters: HyperParameters? = nil, date: Date = Date(),
    parent: RunParent? = nil
  ) throws {
    let base = "\(RunDirectory.timestamp(date))-\(RunDirectory.sanitized(name))"
    try RunDirectory.createRoot(root)
    let staging = root.appendingPathComponent(
      ".\(base).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    guard mkdir(staging.path, 0o755) == 0 else {
      throw RunDirectoryError(path: root.path, reason: String(cString: strerror(errno)))
    }
    do {
      try AtomicFile.write(
        Data((RunDirectory.metricsHeader + "\n").utf8), to: staging.appendingPathComponent("metrics.csv"))
      try AtomicFile.write(
        RunDirectory.encode(RunSummary(status: .running, parent: parent)),
        to: staging.appendingPathComponent("summary.json"))
      if let hyperParameters {
        try AtomicFile.write(
          Data(RunDirectory.configText(hyperParameters, parent: parent).utf8),
          to: staging.appendingPathComponent("config.yaml"))
      }
    } catch {
      try? FileManager.default.removeItem(at: staging)
      throw RunDirectoryError(path: staging.path, reason: String(describing: error))
    }
    // rename(2) onto an existing non-empty directory fails, which is what makes the suffix race-free;
    // every run directory holds at least metrics.csv, so it is never empty.
    let candidate: URL
    do {
      candidate = try RunDirectory.placeUnderFreeName(root: root, base: base, taken: [EEXIST, ENOTEMPTY]) {
        rename(staging.path, $0.path) == 0 ? 0 : errno
      }
    } catch {
      try? FileManager.default.removeItem(at: staging)
      throw error
    }
    url = candidate
    self.parent = parent
    self.name = candidate.lastPathComponent
    metricsURL = candidate.appendingPathComponent("metrics.csv")
    eventsURL = candidate.appendingPathComponent("events.jsonl")
  }

  /// Opens a run directory that already exists, to continue it.
  public init(existing url: URL) throws {
    let metrics = url.appendingPathComponent("metrics.csv")
    guard FileManager.default.fileExists(atPath: metrics.path) else {
      throw RunDirectoryError(path: url.path, reason: "not a tunetop run directory (no metrics.csv)")
    }
    self.url = url
    name = url.lastPathComponent
    metricsURL = metrics
    eventsURL = url.appendingPathComponent("events.jsonl")
    // A resumed fork keeps saying where it came from.
    parent =
      (try? Data(contentsOf: url.appendingPathComponent("summary.json")))
      .flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }?.parent
  }

  /// Throws, saying so, when another trainer (PyTorch, Hugging Face, Lightning) wrote this run:
  /// `what` (resume, fork) needs tunetop's own config, checkpoints and training state.
  public func requireTunetopRun(for what: String) throws {
    guard let summary = try? readSummary(), !summary.isTunetopRun else { return }
    throw RunDirectoryError(
      path: url.path,
      reason: "this is a \(summary.source) run; \(what) works on tunetop runs only")
  }

  public func readSummary() throws -> RunSummary {
    try JSONDecoder().decode(
      RunSummary.self, from: Data(contentsOf: url.appendingPathComponent("summary.json")))
  }

  /// Rewrites `metrics.csv` without the rows of epochs after `epoch`.
  public func truncateMetrics(afterEpoch epoch: Int) throws {
    _ = try truncateMetrics { parsedEpoch, _ in parsedEpoch.position <= Double(epoch) }
  }

  /// Rewrites `metrics.csv` without the evaluations after optimizer step `step` (a resume from a
  /// checkpoint of that step trains them again); returns the position, in epochs, of the last row
  /// kept, for `truncateClassMetrics(afterPosition:)`. A row without a step (written by another
  /// trainer) is kept when its epoch is at most `epochsRun`.
  public func truncateMetrics(afterStep step: Int, epochsRun: Int) throws -> Double? {
    try truncateMetrics { parsed, rowStep in
      rowStep.map { $0 <= step } ?? (parsed.position <= Double(epochsRun))
    }
  }

  private func truncateMetrics(keeping keep: ((epoch: Int, position: Double), Int?) -> Bool) throws
    -> Double?
  {
    let text: String
    do {
      text = try String(contentsOf: metricsURL, encoding: .utf8)
    } catch {
      throw RunDirectoryError(path: metricsURL.path, reason: RunDirectory.describe(error))
    }
    let lines = text.split(separator: "\n").map(String.init)
    let stepColumn = lines.first?.split(separator: ",").firstIndex {
      $0.trimmingCharacters(in: .whitespaces) == "step"
    }
    var lastKept: Double?
    let kept = lines.enumerated().filter { index, line in
      guard index > 0 else { return true }
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      guard let first = cells.first, let parsed = EpochPosition.parse(first) else { return false }
      let position = parsed.midEpoch ?? Double(parsed.epoch)
      let rowStep = stepColumn.flatMap {
        $0 < cells.count ? Int(cells[$0].trimmingCharacters(in: .whitespaces)) : nil
      }
      guard keep((parsed.epoch, position), rowStep) else { return false }
      lastKept = position
      return true
    }.map(\.element)
    if kept.count != lines.count {
      try write(Data((kept.joined(separator: "\n") + "\n").utf8), to: "metrics.csv")
    }
    return lastKept
  }

  public var bestCheckpointURL: URL { url.appendingPathComponent("best.safetensors") }
  public var lastCheckpointURL: URL { url.appendingPathComponent("last.safetensors") }
  /// Optimizer moments, sample order and counters that go with `last`, for resuming.
  public var trainingStateURL: URL { url.appendingPathComponent("last.state.safetensors") }

  public func writeConfig(_ hyperParameters: HyperParameters) throws {
    try write(Data(RunDirectory.configText(hyperParameters, parent: parent).utf8), to: "config.yaml")
  }

  static func configText(_ hyperParameters: HyperParameters, parent: RunParent?) -> String {
    (parent?.configComment ?? "") + hyperParameters.yaml()
  }

  /// Where checkpoints are kept each time validation improves: `best` is replaced, these stay.
  public var checkpointsURL: URL { url.appendingPathComponent("checkpoints") }

  /// `checkpoints/epoch-0007.safetensors`: zero-padded so a plain `ls` lists them in order.
  public func historyCheckpointURL(epoch: Int) -> URL {
    checkpointsURL.appendingPathComponent(String(format: "epoch-%04d.safetensors", epoch))
  }

  /// `checkpoints/epoch-0003-step-00000120.safetensors`: kept at a mid-epoch evaluation (step 120,
  /// during epoch 3).
  public func historyCheckpointURL(epoch: Int, step: Int) -> URL {
    checkpointsURL.appendingPathComponent(String(format: "epoch-%04d-step-%08d.safetensors", epoch, step))
  }

  /// Where the best checkpoint of `summary` is kept under `checkpoints/`.
  public func historyCheckpointURL(best summary: RunSummary) -> URL {
    if let step = summary.bestStep {
      let midEpoch = historyCheckpointURL(epoch: summary.bestEpoch, step: step)
      if FileManager.default.fileExists(atPath: midEpoch.path) { return midEpoch }
    }
    return historyCheckpointURL(epoch: summary.bestEpoch)
  }

  /// The copy made by promoting a checkpoint in the dashboard.
  public var promotedCheckpointURL: URL { url.appendingPathComponent("promoted.safetensors") }

  public func appendMetrics(_ metrics: EpochMetrics) throws {
    let fields: [String] = [
      metrics.epochText, String(metrics.step), RunDirectory.number(metrics.trainLoss),
      RunDirectory.number(metrics.trainAccuracy), RunDirectory.number(metrics.validationLoss),
      RunDirectory.number(metrics.validationAccuracy), RunDirectory.number(metrics.learningRate),
      String(format: "%.3f", metrics.seconds),
    ]
    try append(fields.joined(separator: ","), to: metricsURL)
  }

  /// Appends one event to `events.jsonl` with the wall-clock time.
  public func appendEvent(_ kind: String, step: Int, fields: [String: RunEventValue] = [:]) throws {
    var object: [String: Any] = [
      "event": kind, "step": step, "time": ISO8601DateFormatter().string(from: Date()),
    ]
    for (key, value) in fields { object[key] = value.jsonValue }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    try append(String(decoding: data, as: UTF8.self), to: eventsURL)
  }

  public func writeSummary(_ summary: RunSummary) throws {
    try write(RunDirectory.encode(summary), to: "summary.json")
  }

  static func encode(_ summary: RunSummary) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(summary) + Data("\n".utf8)
  }

  public func writeCheckpoint(_ tensors: [NamedTensor], metadata: [String: String], best: Bool) throws {
    let target = best ? bestCheckpointURL : lastCheckpointURL
    do {
      try SafeTensors.write(tensors, metadata: metadata, to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
    // A mid-epoch checkpoint's `epoch` is its position (`2.5`); it is kept under its step.
    if best, case let (epoch, midEpoch)? = metadata["epoch"].flatMap({ EpochPosition.parse(Substring($0)) }) {
      let step = metadata["step"].flatMap(Int.init)
      try keepInHistory(
        at: midEpoch == nil || step == nil
          ? historyCheckpointURL(epoch: epoch) : historyCheckpointURL(epoch: epoch, step: step!))
    }
  }

  /// Gives the new `best` a second name under `checkpoints/`. A hard link costs no space and is
  /// atomic: `best` is always replaced by rename, so the linked file is never rewritten in place.
  /// File systems without hard links get an atomic copy instead.
  private func keepInHistory(at target: URL) throws {
    do {
      try FileManager.default.createDirectory(at: checkpointsURL, withIntermediateDirectories: true)
      // A resumed run may write the same epoch again; the newer file wins.
      if unlink(target.path) != 0 && errno != ENOENT {
        throw RunDirectoryError(path: target.path, reason: String(cString: strerror(errno)))
      }
      if link(bestCheckpointURL.path, target.path) != 0 {
        try AtomicFile.write(Data(contentsOf: bestCheckpointURL), to: target, durable: false)
      }
    } catch let error as RunDirectoryError {
      throw error
    } catch {
      throw RunDirectoryError(path: target.path, reason: RunDirectory.describe(error))
    }
  }

  public func writeTrainingState(_ tensors: [NamedTensor], metadata: [String: String]) throws {
    do {
      try SafeTensors.write(tensors, metadata: metadata, to: trainingStateURL, durable: false)
    } catch {
      throw RunDirectoryError(path: trainingStateURL.path, reason: String(describing: error))
    }
  }

  /// Flushes every file of the run to disk; called when a run ends, since the per-epoch writes
  /// skip the flush (see `AtomicFile.write(_:to:durable:)`).
  public func syncToDisk() throws {
    let files = [
      "metrics.csv", "events.jsonl", "summary.json", "config.yaml", "best.safetensors",
      "last.safetensors", "last.state.safetensors", "steps.csv", "groups.json",
    ].map { url.appendingPathComponent($0) }
    let history = ((try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path)) ?? [])
      .map { checkpointsURL.appendingPathComponent($0) }
    do {
      try AtomicFile.sync(files, directory: url)
      if !history.isEmpty { try AtomicFile.sync(history, directory: checkpointsURL) }
    } catch {
      throw RunDirectoryError(path: url.path, reason: String(describing: error))
    }
  }

  private func write(_ data: Data, to file: String) throws {
    let target = url.appendingPathComponent(file)
    do {
      try AtomicFile.write(data, to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
  }

  private func append(_ line: String, to target: URL) throws {
    do {
      try AtomicFile.appendLine(line, to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
  }

  static func number(_ value: Double) -> String {
    value.isFinite ? String(format: "%.6g", value) : "nan"
  }

  /// `yyyyMMdd-HHmmss` in local time: the prefix of run and search directories, which
  /// `RunCatalog.startDate` reads back.
  static func timestamp(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone.current
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    return formatter.string(from: date)
  }

  /// Creates the runs root and its parents; the error names it.
  static func createRoot(_ root: URL) throws {
    do {
      try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    } catch {
      throw RunDirectoryError(path: root.path, reason: describe(error))
    }
  }

  /// Puts something at `root/base`, or `base-2`, `base-3`… when the name is taken, and returns where.
  /// `place` returns 0 or the errno of its attempt; an errno in `taken` means "try the next name".
  static func placeUnderFreeName(root: URL, base: String, taken: Set<Int32>, place: (URL) -> Int32)
    throws -> URL
  {
    var candidate = root.appendingPathComponent(base)
    var suffix = 2
    while true {
      let code = place(candidate)
      if code == 0 { return candidate }
      guard taken.contains(code), suffix < 10_000 else {
        throw RunDirectoryError(path: candidate.path, reason: String(cString: strerror(code)))
      }
      candidate = root.appendingPathComponent("\(base)-\(suffix)")
      suffix += 1
    }
  }

  static func sanitized(_ name: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+")
    let cleaned = String(name.map { allowed.contains($0) ? $0 : "_" }.prefix(60))
    return cleaned.isEmpty ? "run" : cleaned
  }

  static func describe(_ error: Error) -> String {
    (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
  }
}

/// A value in an `events.jsonl` record.
public enum RunEventValue: Sendable {
  case number(Double)
  case integer(Int)
  case text(String)
  case flag(Bool)

  var jsonValue: Any {
    switch self {
    case .number(let value): value.isFinite ? value : NSNull()
    case .integer(let value): value
    case .text(let value): value
    case .flag(let value): value
    }
  }
}

/// A run directory could not be written, read or found; names the path so the user can fix it.
public struct RunDirectoryError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var reason: String
  /// What was being done: `write` (the default), `read` or `find`.
  public var action = "write"
  public var description: String { "cannot \(action) \(path): \(reason)" }
}
