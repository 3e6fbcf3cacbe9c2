import Training

/// The state of the runs screens: the listed runs, their order, the cursor and marks, the compare
/// chart's choices and the selected run's checkpoints. Loaded by the app loop, never by the reducer.
public struct RunsView: Equatable, Sendable {
  /// Compare draws this many runs at most: one colour each, and a legend that still fits.
  public static let maxMarked = 6

  /// The runs listed: `allRecords` that match `filter`.
  public private(set) var records: [RunRecord] = []
  /// Every run in display order (sorted by `sortColumn`, flipped when `reversed`).
  public private(set) var allRecords: [RunRecord] = []
  /// Words a listed run must contain (`/`, see `RunRecord.matches`); empty lists every run.
  public private(set) var filter = ""
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

  /// Puts `fresh` in the chosen order, keeping the cursor on the same run.
  mutating func replaceRecords(_ fresh: [RunRecord]) {
    var sorted = RunCatalog.sorted(fresh, by: sortColumn)
    if reversed { sorted.reverse() }
    allRecords = sorted
    loaded = true
    refilter()
    // A run deleted on disk cannot stay marked; one the filter hides can.
    let present = Set(allRecords.map(\.path))
    marked.removeAll { !present.contains($0) }
  }

  /// Sorts again, by a new column or order.
  mutating func resort() { replaceRecords(allRecords) }

  /// Lists only the runs matching `text`, keeping the cursor on the same run while it still matches.
  mutating func setFilter(_ text: String) {
    filter = text
    refilter()
  }

  private mutating func refilter() {
    let selectedPath = selected?.path
    records = filter.isEmpty ? allRecords : allRecords.filter { $0.matches(filter) }
    if let selectedPath, let index = records.firstIndex(where: { $0.path == selectedPath }) {
      selection = index
    }
    selection = min(max(0, selection), max(0, records.count - 1))
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
