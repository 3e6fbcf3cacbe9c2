import Training

/// The Search screen's state: the search the app loop runs for it, polled into `snapshot`, and how
/// its trials table is ordered and where its cursor is.
public struct SearchView: Equatable, Sendable {
  /// What a search from the dashboard does unless the user changes the trial count.
  public static let defaultTrials = 20
  public static let trialRange = 1...200

  /// `starting` covers the moment between `s` and the app loop's first report, so `s` cannot start two.
  public enum Phase: Equatable, Sendable {
    case idle, starting, running, finished
  }

  /// The columns the trials table sorts by.
  public enum SortColumn: String, CaseIterable, Sendable {
    case trial
    case valLoss = "val_loss"
    case status, epochs
    case learningRate = "learning_rate"
  }

  public var phase: Phase = .idle
  public var plannedTrials = SearchView.defaultTrials
  /// The latest picture of the search's trials, curves and best trial.
  public var snapshot: SearchSnapshot?
  /// The form's settings when the search started: every trial is these plus its sampled values.
  public var base: HyperParameters?
  public var sortColumn: SortColumn = .trial
  public var reversed = false
  /// The trial under the cursor, by number, so the cursor stays on it while the table re-sorts.
  public var selectedTrial: Int?
  public var top = 0
  /// A trial directory to put the runs table's cursor on once the runs are listed (Enter on a trial).
  public var reveal: String?
  /// The search directory this screen follows when the search runs elsewhere (a Ray search, a
  /// callback's study, `tunetop search` in another terminal); nil for the dashboard's own search.
  public var origin: SearchOrigin?

  public init() {}

  /// Whether this dashboard's own search is under way (a followed search is not this process's).
  public var isRunning: Bool { origin == nil && (phase == .starting || phase == .running) }

  public var trials: [SearchTrial] { snapshot?.trials ?? [] }

  /// The trials in table order: best first for losses, newest last for trial numbers.
  public var rows: [SearchTrial] {
    func loss(_ trial: SearchTrial) -> Double { SearchView.bestLoss(trial) ?? .infinity }
    var sorted = trials.sorted { a, b in
      switch sortColumn {
      case .trial: return a.number < b.number
      case .valLoss: return (loss(a), a.number) < (loss(b), b.number)
      case .status: return (SearchView.statusText(a), a.number) < (SearchView.statusText(b), b.number)
      case .epochs: return (-a.validationLosses.count, a.number) < (-b.validationLosses.count, b.number)
      case .learningRate:
        return (SearchView.learningRate(a) ?? .infinity, a.number)
          < (SearchView.learningRate(b) ?? .infinity, b.number)
      }
    }
    if reversed { sorted.reverse() }
    return sorted
  }

  /// Index in `rows` of the cursor; the first row when nothing is selected yet.
  public var selectionIndex: Int {
    rows.firstIndex { $0.number == selectedTrial } ?? 0
  }

  public var selected: SearchTrial? {
    let rows = rows
    return rows.indices.contains(selectionIndex) ? rows[selectionIndex] : nil
  }

  /// The lowest validation loss a trial has reached: final once it ended, live while it runs.
  public static func bestLoss(_ trial: SearchTrial) -> Double? {
    if let objective = trial.objective { return objective }
    return trial.validationLosses.filter(\.isFinite).min()
  }

  /// The sampled learning rate, the scatter's x: tunetop's `learning_rate`, or another trainer's
  /// `lr`, `optimizer.lr`, … in a followed search.
  public static func learningRate(_ trial: SearchTrial) -> Double? {
    let parameter =
      trial.parameters.first { $0.key == ConfigKey.learningRate.name }
      ?? trial.parameters.first { SearchDirectoryFollower.isLearningRateKey($0.key) }
    return parameter.flatMap { Double($0.value) }
  }

  /// running / pruned / done, as the issue names them; other endings keep their own word, and a
  /// trial whose writer died without ending it is `killed`, as the runs view says.
  public static func statusText(_ trial: SearchTrial) -> String {
    if trial.writerGone { return "killed" }
    switch trial.status {
    case .completed, .earlyStopped: return "done"
    default: return trial.status.rawValue
    }
  }
}

/// A search the Search screen follows on disk: where it is and who runs it, from its `search.json`.
public struct SearchOrigin: Equatable, Sendable {
  public var directory: String
  /// `tunetop`, `ray` or `optuna`.
  public var backend: String
  public var sampler: String?
  public var pruner: String?

  public init(directory: String, backend: String, sampler: String? = nil, pruner: String? = nil) {
    self.directory = directory
    self.backend = backend
    self.sampler = sampler
    self.pruner = pruner
  }
}
