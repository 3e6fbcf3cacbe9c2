import Foundation

/// One saved checkpoint of a run, with the validation metrics of the epoch it was saved at.
public struct CheckpointEntry: Sendable, Equatable {
  /// Which file this is: a kept improvement under `checkpoints/`, or one of the run's fixed names.
  public enum Kind: String, Sendable, Equatable {
    case history, best, last, promoted
  }

  public var kind: Kind
  public var epoch: Int?
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
    let byEpoch = Dictionary(metrics.map { ($0.epoch, $0) }, uniquingKeysWith: { _, last in last })
    let bestEpoch = (try? directory?.readSummary())?.bestEpoch
    func entry(_ kind: CheckpointEntry.Kind, epoch: Int?, url: URL) -> CheckpointEntry {
      let row = epoch.flatMap { byEpoch[$0] }
      return CheckpointEntry(
        kind: kind, epoch: epoch, path: url.path, validationLoss: row?.validationLoss ?? .nan,
        validationAccuracy: row?.validationAccuracy ?? .nan,
        isBest: kind == .history && epoch != nil && epoch == bestEpoch)
    }
    let historyURL = run.appendingPathComponent("checkpoints")
    var entries = ((try? FileManager.default.contentsOfDirectory(atPath: historyURL.path)) ?? [])
      .compactMap { name -> CheckpointEntry? in
        guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors"),
          let epoch = Int(name.dropFirst(6).dropLast(12))
        else { return nil }
        return entry(.history, epoch: epoch, url: historyURL.appendingPathComponent(name))
      }
      .sorted { ($0.epoch ?? 0) < ($1.epoch ?? 0) }
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
    return metadata["epoch"].flatMap(Int.init)
  }
}
