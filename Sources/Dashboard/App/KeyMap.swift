/// The one table that turns keys into actions; the help overlay and the status-bar hints are read from it.
public enum KeyMap {
  /// Where a binding applies; the more specific context is tried first.
  public enum Context: String, CaseIterable, Sendable {
    case global, form, accuracy, layers, editing, help, confirm
    case runs, compare, checkpoints, confirmDelete
    case lrFinder, search

    /// The heading of this context in the help overlay.
    public var heading: String {
      switch self {
      case .global: "Everywhere"
      case .form: "Hyperparameters (1)"
      case .accuracy: "Accuracy (3)"
      case .layers: "Layers (5)"
      case .editing: "Editing a value"
      case .help: "This help"
      case .confirm: "Quit while a run is active"
      case .runs: "Runs (6)"
      case .compare: "Compare (c in Runs)"
      case .checkpoints: "Checkpoints (Enter in Runs)"
      case .confirmDelete: "Deleting checkpoints"
      case .lrFinder: "LR range test plot (L)"
      case .search: "Search (S)"
      }
    }

    /// The screen whose help lists this context; nil for the keys that work everywhere.
    public var screen: Screen? {
      switch self {
      case .global, .help: nil
      case .form, .accuracy, .layers, .editing, .confirm, .lrFinder: .main
      case .search: .search
      case .runs: .runs
      case .compare: .compare
      case .checkpoints, .confirmDelete: .checkpoints
      }
    }
  }

  /// Keys, where they apply, what they do and how the help names that.
  public struct Binding: Sendable {
    public var keys: [Key]
    public var context: Context
    public var action: DashboardAction
    public var help: String
  }

  public static let bindings: [Binding] = [
    Binding(
      keys: [.character("q")], context: .global, action: .quit, help: "quit (asks if running)"),
    Binding(keys: [.character("?")], context: .global, action: .toggleHelp, help: "this help"),
    Binding(keys: [.tab], context: .global, action: .focusNext, help: "next panel"),
    Binding(keys: [.backTab], context: .global, action: .focusPrevious, help: "previous panel"),
    Binding(
      keys: [.character("1")], context: .global, action: .focusPanel(.hyperparameters),
      help: "jump to a panel"),
    Binding(keys: [.character("2")], context: .global, action: .focusPanel(.loss), help: "jump to a panel"),
    Binding(
      keys: [.character("3")], context: .global, action: .focusPanel(.accuracy), help: "jump to a panel"),
    Binding(
      keys: [.character("4")], context: .global, action: .focusPanel(.learningRate), help: "jump to a panel"),
    Binding(keys: [.character("5")], context: .global, action: .focusPanel(.layers), help: "jump to a panel"),
    Binding(keys: [.character("s")], context: .global, action: .startStop, help: "start / stop the run"),
    Binding(keys: [.character("p")], context: .global, action: .pauseResume, help: "pause / resume"),
    Binding(
      keys: [.character("l")], context: .global, action: .toggleLogScale, help: "log scale on the loss"),
    Binding(
      keys: [.character("m")], context: .global, action: .toggleSmoothing, help: "smooth curves (EMA 0.6)"),
    Binding(keys: [.character("w")], context: .global, action: .saveConfig, help: "write settings to YAML"),
    Binding(keys: [.character("R")], context: .global, action: .resetAll, help: "reset all settings"),
    Binding(keys: [.character("t")], context: .global, action: .cycleTheme, help: "next colour theme"),
    Binding(
      keys: [.character("6")], context: .global, action: .showScreen(.runs),
      help: "runs, compare, fork"),
    Binding(
      keys: [.character("L")], context: .global, action: .lrFinder(.toggle),
      help: "LR range test / close it"),
    Binding(
      keys: [.character("S")], context: .global, action: .showScreen(.search),
      help: "hyperparameter search"),

    Binding(keys: [.up, .character("k")], context: .form, action: .moveUp, help: "move up / down"),
    Binding(keys: [.down, .character("j")], context: .form, action: .moveDown, help: "move up / down"),
    Binding(keys: [.pageUp], context: .form, action: .pageUp, help: "page up / down"),
    Binding(keys: [.pageDown], context: .form, action: .pageDown, help: "page up / down"),
    Binding(keys: [.home], context: .form, action: .moveFirst, help: "first / last setting"),
    Binding(keys: [.end], context: .form, action: .moveLast, help: "first / last setting"),
    Binding(keys: [.enter], context: .form, action: .beginEdit, help: "edit the value"),
    Binding(
      keys: [.right, .character("+")], context: .form, action: .stepValue(1), help: "step the value up / down"
    ),
    Binding(
      keys: [.left, .character("-")], context: .form, action: .stepValue(-1), help: "step the value up / down"
    ),
    Binding(keys: [.character(" ")], context: .form, action: .stepValue(1), help: "toggle / next choice"),
    Binding(keys: [.character("r")], context: .form, action: .resetFocused, help: "reset to default"),
    Binding(keys: [.character("n")], context: .form, action: .editRunName, help: "name the next run"),

    Binding(
      keys: [.character("c")], context: .accuracy, action: .togglePerClassView,
      help: "per class, confusion"),

    Binding(keys: [.up, .character("k")], context: .layers, action: .moveUp, help: "move up / down"),
    Binding(keys: [.down, .character("j")], context: .layers, action: .moveDown, help: "move up / down"),
    Binding(
      keys: [.character(" ")], context: .layers, action: .toggleFreeze, help: "freeze / unfreeze (live)"),

    Binding(keys: [.enter], context: .editing, action: .commitEdit, help: "accept the value"),
    Binding(keys: [.escape, .ctrlC], context: .editing, action: .cancelEdit, help: "cancel"),
    Binding(keys: [.left], context: .editing, action: .cursorLeft, help: "move the cursor"),
    Binding(keys: [.right], context: .editing, action: .cursorRight, help: "move the cursor"),
    Binding(keys: [.home], context: .editing, action: .cursorHome, help: "start / end of the field"),
    Binding(keys: [.end], context: .editing, action: .cursorEnd, help: "start / end of the field"),
    Binding(keys: [.backspace], context: .editing, action: .deleteBackward, help: "delete left"),
    Binding(keys: [.delete], context: .editing, action: .deleteForward, help: "delete right"),

    Binding(
      keys: [.character("?"), .escape, .character("q")], context: .help, action: .closeOverlay, help: "close"),

    Binding(keys: [.up, .character("k")], context: .runs, action: .moveUp, help: "move up / down"),
    Binding(keys: [.down, .character("j")], context: .runs, action: .moveDown, help: "move up / down"),
    Binding(keys: [.pageUp], context: .runs, action: .pageUp, help: "page up / down"),
    Binding(keys: [.pageDown], context: .runs, action: .pageDown, help: "page up / down"),
    Binding(keys: [.home], context: .runs, action: .moveFirst, help: "first / last run"),
    Binding(keys: [.end], context: .runs, action: .moveLast, help: "first / last run"),
    Binding(keys: [.character(" ")], context: .runs, action: .toggleMark, help: "mark for compare (2–6)"),
    Binding(keys: [.character("u")], context: .runs, action: .clearMarks, help: "clear the marks"),
    Binding(
      keys: [.character("/")], context: .runs, action: .beginRunsFilter,
      help: "filter by name, status, setting"),
    Binding(keys: [.character("c")], context: .runs, action: .openCompare, help: "compare the marked runs"),
    Binding(
      keys: [.character(">")], context: .runs, action: .cycleSortColumn(1), help: "sort by next / prev column"
    ),
    Binding(
      keys: [.character("<")], context: .runs, action: .cycleSortColumn(-1),
      help: "sort by next / prev column"),
    Binding(keys: [.character("I")], context: .runs, action: .flipSortOrder, help: "invert the sort order"),
    Binding(keys: [.enter], context: .runs, action: .openCheckpoints, help: "checkpoints of the run"),
    Binding(
      keys: [.character("w")], context: .runs, action: .watchSelected, help: "watch and steer a live run"),
    Binding(
      keys: [.character("S")], context: .runs, action: .search(.followSelected),
      help: "follow a trial's search live"),
    Binding(keys: [.character("r")], context: .runs, action: .resumeSelected, help: "resume a stopped run"),
    Binding(keys: [.character("f")], context: .runs, action: .forkSelected, help: "fork from its best epoch"),
    Binding(keys: [.character("e")], context: .runs, action: .exportRuns, help: "export marked runs to CSV"),
    Binding(keys: [.escape], context: .runs, action: .back, help: "clear the filter, or back"),

    Binding(
      keys: [.character("v")], context: .compare, action: .cycleCompareMetric,
      help: "val loss / val acc / train loss"),
    Binding(
      keys: [.character("x")], context: .compare, action: .toggleCompareAxis, help: "x axis epoch / step"),
    Binding(
      keys: [.character("e")], context: .compare, action: .exportRuns, help: "export these runs to CSV"),
    Binding(keys: [.escape], context: .compare, action: .back, help: "back to the runs"),

    Binding(keys: [.up, .character("k")], context: .checkpoints, action: .moveUp, help: "move up / down"),
    Binding(
      keys: [.down, .character("j")], context: .checkpoints, action: .moveDown, help: "move up / down"),
    Binding(
      keys: [.character("P")], context: .checkpoints, action: .promoteCheckpoint,
      help: "promote (copy to promoted)"),
    Binding(
      keys: [.character("d")], context: .checkpoints, action: .deleteCheckpoints, help: "delete all but best"),
    Binding(keys: [.escape], context: .checkpoints, action: .back, help: "back to the runs"),

    Binding(
      keys: [.character("a")], context: .lrFinder, action: .lrFinder(.applySuggestion),
      help: "use the suggested rate"),
    Binding(keys: [.escape], context: .lrFinder, action: .lrFinder(.dismiss), help: "back to the schedule"),

    Binding(keys: [.up, .character("k")], context: .search, action: .moveUp, help: "move up / down"),
    Binding(keys: [.down, .character("j")], context: .search, action: .moveDown, help: "move up / down"),
    Binding(keys: [.pageUp], context: .search, action: .pageUp, help: "page up / down"),
    Binding(keys: [.pageDown], context: .search, action: .pageDown, help: "page up / down"),
    Binding(keys: [.home], context: .search, action: .moveFirst, help: "first / last trial"),
    Binding(keys: [.end], context: .search, action: .moveLast, help: "first / last trial"),
    Binding(
      keys: [.character("s")], context: .search, action: .search(.startStop),
      help: "start / stop the search"),
    Binding(
      keys: [.character("+"), .right], context: .search, action: .search(.stepTrials(1)),
      help: "more / fewer trials"),
    Binding(
      keys: [.character("-"), .left], context: .search, action: .search(.stepTrials(-1)),
      help: "more / fewer trials"),
    Binding(
      keys: [.character(">")], context: .search, action: .search(.cycleSort(1)),
      help: "sort by next / prev column"),
    Binding(
      keys: [.character("<")], context: .search, action: .search(.cycleSort(-1)),
      help: "sort by next / prev column"),
    Binding(
      keys: [.character("I")], context: .search, action: .search(.flipSort), help: "invert the sort order"),
    Binding(keys: [.enter], context: .search, action: .search(.openTrial), help: "open the trial's run"),
    Binding(
      keys: [.character("a")], context: .search, action: .search(.applyTrial),
      help: "copy settings to the form"),
    Binding(keys: [.escape], context: .search, action: .back, help: "back"),

    Binding(
      keys: [.character("y"), .character("Y")], context: .confirmDelete, action: .confirmDelete,
      help: "delete them"),
    Binding(
      keys: [.character("n"), .character("N"), .escape], context: .confirmDelete, action: .cancelDelete,
      help: "keep them"),

    Binding(
      keys: [.character("y"), .character("Y")], context: .confirm, action: .confirmQuit,
      help: "quit, stopping the run"),
    Binding(
      keys: [.character("n"), .character("N"), .escape], context: .confirm, action: .cancelQuit,
      help: "keep going"),
  ]

  /// The contexts consulted for `state`, most specific first.
  public static func contexts(for state: DashboardState) -> [Context] {
    if state.overlay == .confirmQuit { return [.confirm] }
    if state.overlay == .help { return [.help] }
    if state.overlay == .confirmDelete { return [.confirmDelete] }
    if state.editor != nil { return [.editing] }
    switch state.screen {
    case .main: break
    case .runs: return [.runs, .global]
    case .compare: return [.compare, .global]
    case .checkpoints: return [.checkpoints, .global]
    case .search: return [.search, .global]
    }
    if state.lrFinder != nil {
      switch state.focus {
      case .hyperparameters: return [.lrFinder, .form, .global]
      case .layers: return [.lrFinder, .layers, .global]
      case .accuracy: return [.lrFinder, .accuracy, .global]
      default: return [.lrFinder, .global]
      }
    }
    switch state.focus {
    case .hyperparameters: return [.form, .global]
    case .layers: return [.layers, .global]
    case .accuracy: return [.accuracy, .global]
    default: return [.global]
    }
  }

  /// The action for `key` in `state`, or nil when the key means nothing there.
  public static func action(for key: Key, in state: DashboardState) -> DashboardAction? {
    if key == .resize { return nil }
    for context in contexts(for: state) {
      if let binding = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) {
        return binding.action
      }
    }
    // Typing goes into the field; any other key dismisses the help, as in htop.
    if state.editor != nil, case .character(let character) = key { return .insert(character) }
    if state.overlay == .help { return .closeOverlay }
    return nil
  }

  /// `↑ k`: how a binding's keys are written in the help.
  public static func keyNames(_ binding: Binding) -> String {
    binding.keys.map(\.displayName).joined(separator: " ")
  }
}
