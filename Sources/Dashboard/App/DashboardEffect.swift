import Training

/// Work the reducer asks the app loop to do, because the dashboard itself never touches threads or files.
public enum DashboardEffect: Equatable, Sendable {
  /// Prepare the model and data for these settings (to learn groups, sizes and sample counts).
  case prepareModel(HyperParameters)
  /// Prepare and start a run with these settings on the background thread.
  case startRun(HyperParameters)
  /// Pass a command to the running trainer.
  case send(TrainerCommand)
  /// Write `contents` to `path` and report the outcome with `.showMessage`.
  case writeFile(path: String, contents: String)
  /// Load the theme called `name` and report it with `.themeLoaded`.
  case loadTheme(String)
  /// Leave the dashboard; a run that is still active is interrupted first (saves `last` and summary).
  case quit
}
