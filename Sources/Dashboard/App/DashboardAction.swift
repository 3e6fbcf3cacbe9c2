import Training

/// Everything that can change `DashboardState`: key-driven commands and what the app loop reports back.
public enum DashboardAction: Sendable {
  // Navigation
  case moveUp, moveDown, pageUp, pageDown, moveFirst, moveLast
  case focusNext, focusPrevious
  case focusPanel(Panel)
  // The form
  case beginEdit, commitEdit, cancelEdit
  case stepValue(Int)
  case resetFocused, resetAll
  case saveConfig
  // Text field editing
  case insert(Character)
  case deleteBackward, deleteForward
  case cursorLeft, cursorRight, cursorHome, cursorEnd
  // Runs and views
  case startStop, pauseResume
  case toggleFreeze
  case toggleLogScale, toggleSmoothing
  /// The Accuracy panel's per-class view: each class's validation accuracy and the confusion matrix.
  case togglePerClassView
  case cycleTheme
  case toggleHelp, closeOverlay
  case quit, confirmQuit, cancelQuit
  /// SIGINT: cancels a text edit, otherwise behaves like `quit`.
  case interrupt
  // Reports from the app loop
  case resize(width: Int, height: Int)
  case trainingEvents([TrainingEvent])
  case modelPrepared(ModelInfo)
  case modelFailed(String)
  case runFailedToStart(String)
  case themeLoaded(name: String, warnings: [String])
  case showMessage(String, StatusMessage.Kind)
  // The run name field
  case editRunName
  // The runs screens
  case showScreen(Screen)
  case back
  case toggleMark, clearMarks
  /// Starts typing the runs view's filter (`/`).
  case beginRunsFilter
  case cycleSortColumn(Int), flipSortOrder
  case openCompare, cycleCompareMetric, toggleCompareAxis
  case openCheckpoints, promoteCheckpoint, deleteCheckpoints, confirmDelete, cancelDelete
  case resumeSelected, forkSelected, exportRuns
  /// Watch and steer the selected live run of another process (`w`).
  case watchSelected
  // Reports from the app loop about runs on disk
  case runsLoaded([RunRecord])
  case curvesLoaded([RunCurve])
  case checkpointsLoaded(run: String, [CheckpointEntry])
  /// A fork's settings and parent, read from the parent's directory.
  case forkPlanned(HyperParameters, parent: RunParent)
  /// A stopped run was reopened and continues with these settings and earlier epochs.
  case runResumed(HyperParameters, epochs: [EpochMetrics])
  // The LR range test and the Search screen
  case lrFinder(LRFinderAction)
  case search(SearchAction)
  /// A watched run's control file: commands sent, answers read.
  case watch(WatchAction)
}
