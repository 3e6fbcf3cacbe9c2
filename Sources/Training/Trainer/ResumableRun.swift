import Foundation

/// A stopped or interrupted run, checked and loaded so that a `Trainer` can continue it exactly.
public final class ResumableRun {
  public let prepared: PreparedRun
  public let state: TrainingState
  public let directory: RunDirectory

  /// Statuses a run can be resumed from: ended by the user or a signal, or killed while running.
  public static let resumableStatuses: Set<RunStatus> = [.stopped, .interrupted, .running, .paused]

  private init(prepared: PreparedRun, state: TrainingState, directory: RunDirectory) {
    self.prepared = prepared
    self.state = state
    self.directory = directory
  }

  /// Loads the run at `url`: its config, its `last` weights and the state saved with them.
  /// Throws, naming the file, when anything is missing or does not fit; nothing is changed then.
  public static func open(_ url: URL) throws -> ResumableRun {
    let directory = try RunDirectory(existing: url)
    try directory.requireTunetopRun(for: "resume")
    if let summary = try? directory.readSummary(), !resumableStatuses.contains(summary.status) {
      throw RunDirectoryError(
        path: url.path,
        reason:
          "the run ended \(summary.status.rawValue); only stopped, interrupted or killed runs can be resumed")
    }
    let configPath = url.appendingPathComponent("config.yaml").path
    // A CSV task continues with the scaling its checkpoints were trained with, not a refit.
    let stored = try? SafeTensors.read(from: directory.lastCheckpointURL)
    let preprocessing = try stored.flatMap {
      try TablePreprocessing.from(metadata: $0.metadata, path: directory.lastCheckpointURL.path)
    }
    let prepared = try PreparedRun.prepare(
      try HyperParameters.load(path: configPath), preprocessing: preprocessing)
    let statePath = directory.trainingStateURL.path
    guard FileManager.default.fileExists(atPath: statePath) else {
      throw RunDirectoryError(
        path: statePath, reason: "missing; the run stopped before its first checkpoint, so start it again")
    }
    let state = try TrainingState(file: SafeTensors.read(from: directory.trainingStateURL), path: statePath)
    let weights = try SafeTensors.read(from: directory.lastCheckpointURL)
    guard weights.metadata["step"] == String(state.step) else {
      throw CheckpointMismatchError(
        path: directory.lastCheckpointURL.path,
        message:
          "weights are from step \(weights.metadata["step"] ?? "?") but the training state is from step \(state.step); the process was killed while saving"
      )
    }
    try prepared.model.load(weights, path: directory.lastCheckpointURL.path)
    let generators = prepared.model.dropoutRNGStates.count
    guard state.dropoutRNGs.count == generators else {
      throw CheckpointMismatchError(
        path: statePath,
        message:
          "the state holds \(state.dropoutRNGs.count) random-generator states but the model has \(generators)"
      )
    }
    // Fail here, on the caller's thread, rather than inside the trainer.
    let probe = Optimizer(state.liveSettings, store: prepared.model.store)
    try probe.restoreState(state.optimizerState)
    // Evaluations logged after the state was saved (at epoch ends or, with `eval_every_steps`,
    // mid-epoch) will be made again; drop them by step so none repeat.
    let lastKept = try directory.truncateMetrics(afterStep: state.step, epochsRun: state.epochsRun)
    try directory.truncateClassMetrics(afterPosition: lastKept ?? Double(state.epochsRun))
    return ResumableRun(prepared: prepared, state: state, directory: directory)
  }
}
