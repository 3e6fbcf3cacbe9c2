import Foundation

/// One saved checkpoint of a run, with the validation metrics of the epoch it was saved at.
public struct CheckpointEntry: Sendable, Equatable {
  /// Which file this is: a kept improvement under `checkpoints/`, or one of the run's fixed names.
  public enum Kind: String, Sendable, Equatable {
    case history, best, last, promoted
  }

  public var kind: Kind
  public var epoch: Int?
  /// The optimizer step of a checkpoint kept at a mid-epoch evaluation; nil at an epoch's end.
  public var step: Int?
  public var path: String
  public var validationLoss: Double
  public var validationAccuracy: Double
  /// True for the checkpoint of the run's best epoch.
  public var isBest: Bool

  public init(
    kind: Kind, epoch: Int?, path: String, validationLoss: Double = .nan, validationAccuracy: Double = .nan,
    isBest: Bool = false
  ) {
    self.kind = kind
    self.epoch = epoch
    self.path = path
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.isBest = isBest
  }

  /// `epoch-0007`, `last`, `promoted`: how the ledger names the file.
  public var label: String {
    switch kind {
    case .history: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    case .best, .last, .promoted: kind.rawValue
    }
  }
}

/// Lists, promotes and prunes the checkpoints of one run.
///
/// A run keeps a checkpoint under `checkpoints/` each time validation loss improves, so the history
/// is what a person would want to go back to; epochs that did not improve are never kept (that would
/// be one file per epoch for no use). `best`, `last` and `promoted` are never deleted here.
public enum CheckpointLedger {
  public static func entries(run: URL) -> [CheckpointEntry] {
    let directory = try? RunDirectory(existing: run)
    let metrics = (try? MetricsFile.read(run: run)) ?? []
    // An epoch's end is its last row, after any mid-epoch evaluations of the same epoch.
    let byEpoch = Dictionary(metrics.map { ($0.epoch, $0) }, uniquingKeysWith: { _, last in last })
    let byStep = Dictionary(
      metrics.filter { !$0.isEpochEnd }.map { ($0.step, $0) }, uniquingKeysWith: { _, last in last })
    let summary = try? directory?.readSummary()
    func entry(_ kind: CheckpointEntry.Kind, epoch: Int?, step: Int? = nil, url: URL) -> CheckpointEntry {
      let row = step.flatMap { byStep[$0] } ?? epoch.flatMap { byEpoch[$0] }
      var isBest = kind == .history && epoch != nil && epoch == summary?.bestEpoch
      if let step, let bestStep = summary?.bestStep { isBest = isBest && step == bestStep }
      if step == nil, let bestStep = summary?.bestStep, let row { isBest = isBest && row.step == bestStep }
      var item = CheckpointEntry(
        kind: kind, epoch: epoch, path: url.path, validationLoss: row?.validationLoss ?? .nan,
        validationAccuracy: row?.validationAccuracy ?? .nan, isBest: isBest)
      item.step = step
      return item
    }
    let historyURL = run.appendingPathComponent("checkpoints")
    var entries = ((try? FileManager.default.contentsOfDirectory(atPath: historyURL.path)) ?? [])
      .compactMap { name -> CheckpointEntry? in
        guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors") else { return nil }
        // `epoch-0007` at an epoch's end, `epoch-0007-step-00000120` at a mid-epoch evaluation.
        let parts = name.dropFirst(6).dropLast(12).split(
          separator: "-step-", omittingEmptySubsequences: false)
        guard let epoch = Int(parts[0]) else { return nil }
        let step = parts.count == 2 ? Int(parts[1]) : nil
        guard parts.count == 1 || step != nil else { return nil }
        return entry(.history, epoch: epoch, step: step, url: historyURL.appendingPathComponent(name))
      }
      .sorted { ($0.epoch ?? 0, $0.step ?? Int.max) < ($1.epoch ?? 0, $1.step ?? Int.max) }
    var fixed: [CheckpointEntry.Kind] = [.last, .promoted]
    // Runs from before the history was kept have only `best`; show it so they can be promoted too.
    if entries.isEmpty { fixed.insert(.best, at: 0) }
    for kind in fixed {
      let url = run.appendingPathComponent("\(kind.rawValue).safetensors")
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      var item = entry(kind, epoch: epoch(of: url), url: url)
      item.isBest = kind == .best
      entries.append(item)
    }
    return entries
  }

  /// Copies `entry` to `promoted.safetensors` in its run, atomically, and returns that path.
  @discardableResult
  public static func promote(_ entry: CheckpointEntry, run: URL) throws -> URL {
    let target = run.appendingPathComponent("promoted.safetensors")
    do {
      try AtomicFile.write(Data(contentsOf: URL(fileURLWithPath: entry.path)), to: target)
    } catch {
      throw RunDirectoryError(path: target.path, reason: RunDirectory.describe(error))
    }
    return target
  }

  /// Deletes the kept checkpoints other than the best one; returns how many were deleted.
  @discardableResult
  public static func deleteNonBest(run: URL) throws -> Int {
    var deleted = 0
    for entry in entries(run: run) where entry.kind == .history && !entry.isBest {
      do {
        try FileManager.default.removeItem(atPath: entry.path)
      } catch {
        throw RunDirectoryError(path: entry.path, reason: RunDirectory.describe(error))
      }
      deleted += 1
    }
    return deleted
  }

  /// The epoch a checkpoint's metadata names, read from its header only.
  static func epoch(of url: URL) -> Int? {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
    defer { try? handle.close() }
    guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
    let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard length < 1 << 20, let header = try? handle.read(upToCount: Int(length)),
      let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
      let metadata = object["__metadata__"] as? [String: String]
    else { return nil }
    return metadata["epoch"].flatMap { EpochPosition.parse(Substring($0))?.epoch }
  }
}
