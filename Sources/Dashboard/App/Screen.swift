/// The full-screen view the dashboard shows; the panels of the main screen are one of them.
public enum Screen: String, CaseIterable, Equatable, Sendable {
  /// The form, the charts and the layers of the current run.
  case main
  /// Every run under the runs directory, as a sortable table.
  case runs
  /// The marked runs' curves overlaid in one chart.
  case compare
  /// The kept checkpoints of the selected run.
  case checkpoints
  /// A hyperparameter search started from the form: its trials, their scatter and curves.
  case search

  /// The screen Esc goes back to.
  public var parent: Screen {
    switch self {
    case .main, .runs, .search: .main
    case .compare, .checkpoints: .runs
    }
  }

  public var title: String {
    switch self {
    case .main: "Dashboard"
    case .runs: "Runs"
    case .compare: "Compare"
    case .checkpoints: "Checkpoints"
    case .search: "Search"
    }
  }
}
