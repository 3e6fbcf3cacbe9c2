import Training

/// Work the reducer asks the app loop to do, because the dashboard itself never touches threads or files.
public enum DashboardEffect: Equatable, Sendable {
  /// Prepare the model and data for these settings (to learn groups, sizes and sample counts).
  case prepareModel(HyperParameters)
  /// Prepare and start a run with these settings on the background thread, in a directory called
  /// `name` (the settings' short name when nil), recording `parent` when it is a fork.
  case startRun(HyperParameters, name: String? = nil, parent: RunParent? = nil)
  /// Pass a command to the running trainer.
  case send(TrainerCommand)
  /// Follow the run at this path, written by another process, as `tunetop watch` does.
  case watchRun(String)
  /// Write `contents` to `path` and report the outcome with `.showMessage`.
  case writeFile(path: String, contents: String)
  /// Load the theme called `name` and report it with `.themeLoaded`.
  case loadTheme(String)
  /// List the runs directory and report it with `.runsLoaded`.
  case loadRuns
  /// Read the curves of these run directories and report them with `.curvesLoaded`.
  case loadCurves([String])
  /// List the checkpoints of this run directory and report them with `.checkpointsLoaded`.
  case loadCheckpoints(String)
  /// Copy a checkpoint to `promoted.safetensors` in its run, then reload the checkpoints.
  case promoteCheckpoint(run: String, CheckpointEntry)
  /// Delete the non-best kept checkpoints of a run, then reload the checkpoints.
  case deleteCheckpoints(run: String)
  /// Read the run's settings and best checkpoint and report them with `.forkPlanned`.
  case planFork(String)
  /// Continue a stopped run from its `last` checkpoint on the background thread.
  case resumeRun(String)
  /// Write these runs' epoch metrics, as `tunetop export` does, to `path`.
  case exportRuns([String], path: String)
  /// Run the LR range test from these settings on its own thread, reporting with `.lrFinder(...)`.
  case startLRFinder(HyperParameters)
  case cancelLRFinder
  /// Start a hyperparameter search of `trials` trials over the default space from these settings,
  /// reporting with `.search(...)`.
  case startSearch(HyperParameters, trials: Int)
  /// Start no more trials and stop the running one; finished trials and the report are kept.
  case stopSearch
  /// Follow the search directory at this path, written by another process, reporting with
  /// `.search(.following(...))` and then `.search(.snapshot(...))` as it changes.
  case followSearch(String)
  /// Leave the dashboard; a run that is still active is interrupted first (saves `last` and summary).
  case quit
}
