import Foundation

/// Starting a new run from another run's best weights, with its settings as the starting point.
public enum RunFork {
  /// The settings a fork of the run at `run` starts with, and the parent it records.
  ///
  /// `base_model` points at the parent's kept checkpoint of its best epoch (immutable, unlike
  /// `best.safetensors`, which a resumed parent may replace), so the fork's `config.yaml` alone
  /// reproduces it. The head is kept: it is the parent's trained head.
  public static func plan(run: URL) throws -> (settings: HyperParameters, parent: RunParent) {
    let directory = try RunDirectory(existing: run)
    try directory.requireTunetopRun(for: "fork")
    let configPath = run.appendingPathComponent("config.yaml").path
    var settings = try HyperParameters.load(path: configPath)
    let summary: RunSummary
    do {
      summary = try directory.readSummary()
    } catch {
      throw RunDirectoryError(
        path: run.appendingPathComponent("summary.json").path, reason: "cannot be read: \(error)")
    }
    let kept = directory.historyCheckpointURL(best: summary)
    let weights =
      FileManager.default.fileExists(atPath: kept.path) ? kept : directory.bestCheckpointURL
    guard FileManager.default.fileExists(atPath: weights.path) else {
      throw RunDirectoryError(
        path: weights.path, reason: "missing; the run has no best checkpoint to fork from")
    }
    let step =
      summary.bestStep ?? (try? MetricsFile.read(run: run))?.last { $0.epoch == summary.bestEpoch }?.step ?? 0
    settings.baseModel = weights.standardizedFileURL.path
    settings.resetHead = false
    return (settings, RunParent(run: run.lastPathComponent, epoch: summary.bestEpoch, step: step))
  }

  /// `fork-e7_lr3e-3`: the fork's epoch and what its settings change, not the long checkpoint path.
  public static func defaultName(settings: HyperParameters, parent: RunParent) -> String {
    var shown = settings
    shown.baseModel = HyperParameters().baseModel
    let changes = shown.shortRunName()
    return "fork-e\(parent.epoch)" + (changes == "defaults" ? "" : "_" + changes)
  }
}
