import Training

/// The state of the runs screens: the listed runs, their order, the cursor and marks, the compare
/// chart's choices and the selected run's checkpoints. Loaded by the app loop, never by the reducer.
public struct RunsView: Equatable, Sendable {
  /// Compare draws this many runs at most: one colour each, and a legend that still fits.
  public static let maxMarked = 6

  /// Runs in display order (sorted by `sortColumn`, flipped when `reversed`).
  public var records: [RunRecord] = []
  /// False until the first listing arrives, so an empty table is not mistaken for no runs.
  public var loaded = false
  public var sortColumn: RunCatalog.SortColumn = .started
  /// Flips the column's natural order (best or newest first).
  public var reversed = false
  public var selection = 0
  /// Where Esc leads from the runs table when it was opened from elsewhere than the main screen
  /// (Enter on a search trial), so the user lands back where they were.
  public var openedFrom: Screen?
  public var top = 0
  /// Paths of the marked runs, in the order they were marked (the order of the legend).
  public var marked: [String] = []
  public var metric: CompareMetric = .validationLoss
  public var axis: CompareAxis = .epoch
  /// The marked runs' curves, loaded when compare opens and refreshed while it is shown.
  public var curves: [RunCurve] = []
  /// The run whose checkpoints are listed.
  public var ledgerRun: String?
  public var ledger: [CheckpointEntry] = []
  public var ledgerIndex = 0

  public init() {}

  public var selected: RunRecord? { records.indices.contains(selection) ? records[selection] : nil }

  /// Puts `records` in the chosen order, keeping the cursor on the same run.
  mutating func replaceRecords(_ fresh: [RunRecord]) {
    let selectedPath = selected?.path
    var sorted = RunCatalog.sorted(fresh, by: sortColumn)
    if reversed { sorted.reverse() }
    records = sorted
    loaded = true
    if let selectedPath, let index = sorted.firstIndex(where: { $0.path == selectedPath }) {
      selection = index
    }
    selection = min(max(0, selection), max(0, records.count - 1))
    // A run deleted on disk cannot stay marked.
    let present = Set(records.map(\.path))
    marked.removeAll { !present.contains($0) }
  }

  /// Settings keys whose values differ between the marked runs: all the legend needs to tell them apart.
  /// A fork's `base_model` is its parent's checkpoint, which the legend names as the parent instead.
  public static func differingKeys(_ curves: [RunCurve]) -> [ConfigKey] {
    guard curves.count > 1 else { return [] }
    return ConfigKey.all.filter { key in
      let values = curves.filter { key != .baseModel || $0.parent == nil }
        .map { ($0.settings ?? HyperParameters()).value(of: key) }
      return Set(values).count > 1
    }
  }
}
