import Foundation
import Training

/// The reducer's half for the Search screen: the app loop runs the search and reports snapshots;
/// the table's order and cursor, and copying a trial into the form, are decided here.
extension Reducer {
  mutating func applySearch(_ action: SearchAction) {
    switch action {
    case .startStop:
      if state.search.isRunning { stopSearch() } else { startSearch() }
    case .stepTrials(let direction): stepTrials(direction)
    case .cycleSort(let offset):
      let all = SearchView.SortColumn.allCases
      let index = all.firstIndex(of: state.search.sortColumn) ?? 0
      state.search.sortColumn = all[((index + offset) % all.count + all.count) % all.count]
      state.search.reversed = false
      keepTrialVisible()
      state.message = StatusMessage("trials sorted by \(state.search.sortColumn.rawValue)")
    case .flipSort:
      state.search.reversed.toggle()
      keepTrialVisible()
    case .openTrial: openTrial()
    case .applyTrial: applyTrial()
    case .followSelected: followSelected()
    case .following(let snapshot, let origin, let base):
      state.search.origin = origin
      state.search.phase = snapshot.isFinished ? .finished : .running
      state.search.snapshot = snapshot
      state.search.base = base
      state.search.selectedTrial = state.search.rows.first?.number
      state.search.top = 0
      show(.search)
      state.message = StatusMessage(
        "following this \(origin.backend) search: it runs elsewhere, q leaves it running, Enter opens a trial"
      )
    case .started(let snapshot, let base):
      state.search.origin = nil
      state.search.phase = .running
      state.search.snapshot = snapshot
      state.search.base = base
      state.search.selectedTrial = nil
      state.search.top = 0
      state.message = StatusMessage("search → \(snapshot.directory)")
    case .snapshot(let snapshot):
      guard state.search.snapshot?.id == snapshot.id else { return }
      state.search.snapshot = snapshot
      if state.search.selectedTrial == nil { state.search.selectedTrial = state.search.rows.first?.number }
      if snapshot.isFinished && state.search.phase != .finished { searchFinished(snapshot) }
      // A followed search whose trials were resumed, or whose record grew, is live again.
      if !snapshot.isFinished && state.search.origin != nil { state.search.phase = .running }
      keepTrialVisible()
    case .failed(let reason):
      state.search.phase = .idle
      state.message = StatusMessage("cannot start the search: \(reason)", .error)
    }
  }

  mutating func startSearch() {
    if state.isRunActive {
      state.message = StatusMessage(
        "a run is active; stop it (s on the main screen) before searching: both would share 2 cores", .warning
      )
      return
    }
    if state.lrFinder?.isRunning == true {
      state.message = StatusMessage("the LR range test is running; wait for it or close it (L)", .warning)
      return
    }
    guard settingsAreValid(else: "cannot start the search") else { return }
    if let origin = state.search.origin {
      // Starting a search of this dashboard's own stops following the other, which runs on.
      state.search.origin = nil
      state.message = StatusMessage("stopped following \(origin.directory) (it runs on)")
    }
    state.search.phase = .starting
    state.search.snapshot = nil
    state.message = StatusMessage("starting a search of \(state.search.plannedTrials) trials…")
    effects.append(.startSearch(state.settings, trials: state.search.plannedTrials))
  }

  mutating func stopSearch() {
    guard state.search.phase == .running, state.search.snapshot?.stopRequested != true else { return }
    state.search.snapshot?.stopRequested = true
    effects.append(.stopSearch)
    state.message = StatusMessage(
      "stopping the search: the running trial ends as stopped, every finished trial is kept")
  }

  mutating func stepTrials(_ direction: Int) {
    if let origin = state.search.origin {
      state.message = StatusMessage(
        "this \(origin.backend) search runs elsewhere; +/- set the trials of a search s starts here", .warning
      )
      if state.search.phase != .finished { return }
    }
    guard !state.search.isRunning else {
      state.message = StatusMessage("the trial count is fixed while the search runs", .warning)
      return
    }
    let current = state.search.plannedTrials
    // Single steps where a few trials matter, fives beyond.
    let step = current + direction > 10 || (current > 10 && direction < 0) ? 5 : 1
    var next = current + direction * step
    if current > 10 && next < 10 { next = 10 }
    next = min(max(next, SearchView.trialRange.lowerBound), SearchView.trialRange.upperBound)
    state.search.plannedTrials = next
    state.message = StatusMessage("the next search runs \(next) trial\(next == 1 ? "" : "s")")
  }

  mutating func searchFinished(_ snapshot: SearchSnapshot) {
    state.search.phase = .finished
    let best = snapshot.bestTrial.flatMap { number in snapshot.trials.first { $0.number == number } }
    if let best, let loss = best.objective {
      state.message = StatusMessage(
        "search done: best trial \(best.number), val loss \(NumberFormat.fixed(loss, decimals: 4)); a copies it, report.txt and best.yaml in \(snapshot.directory)",
        .success)
    } else {
      state.message = StatusMessage(
        "search ended with no trial that learned; see \(snapshot.directory)", .warning)
    }
  }

  /// Moves the cursor of the trials table.
  mutating func moveInSearch(by offset: Int) {
    let rows = state.search.rows
    guard !rows.isEmpty else { return }
    let index = min(max(0, state.search.selectionIndex + offset), rows.count - 1)
    state.search.selectedTrial = rows[index].number
    keepTrialVisible()
  }

  mutating func keepTrialVisible() {
    state.search.top = Scrolling.top(
      state.search.top, keeping: state.search.selectionIndex,
      rows: max(1, SearchLayout(width: state.width, height: state.height).tableRows),
      count: state.search.trials.count)
  }

  mutating func openTrial() {
    guard let trial = state.search.selected else { return }
    guard let directory = trial.directory else {
      state.message = StatusMessage("trial \(trial.number) has no run directory yet", .warning)
      return
    }
    state.search.reveal = directory
    state.runs.openedFrom = .search
    show(.runs)
    state.message = StatusMessage(
      "trial \(trial.number) in the runs table: Enter checkpoints, f fork, Esc back")
  }

  /// Puts the runs table's cursor on the trial Enter asked for, once the listing has it.
  mutating func revealSearchTrial() {
    guard let path = state.search.reveal, state.runs.allRecords.contains(where: { $0.path == path }) else {
      return
    }
    // A filter that hides the trial would leave the user looking at another run.
    if !state.runs.records.contains(where: { $0.path == path }) { state.runs.setFilter("") }
    guard let index = state.runs.records.firstIndex(where: { $0.path == path }) else { return }
    state.runs.selection = index
    state.search.reveal = nil
    keepRunVisible()
  }

  /// `S` on a trial in the runs table follows its search; elsewhere in the table it opens the
  /// Search screen as `S` does everywhere.
  mutating func followSelected() {
    guard let run = state.runs.selected, let search = run.summary?.search, run.summary?.trial != nil else {
      show(.search)
      return
    }
    let directory = (run.path as NSString).deletingLastPathComponent
    guard (directory as NSString).lastPathComponent == search else {
      state.message = StatusMessage(
        "\(run.name) names search \(search), which is not its directory", .warning)
      return
    }
    effects.append(.followSearch(directory))
  }

  mutating func applyTrial() {
    guard let trial = state.search.selected else { return }
    guard let base = state.search.base else {
      if state.search.origin != nil {
        state.message = StatusMessage(
          "this search has no base.yaml, so its trials' settings are not tunetop's; Enter opens the trial's run",
          .warning)
      }
      return
    }
    if state.isRunActive {
      state.message = StatusMessage(
        "a run is active; stop it (s) before loading a trial's settings", .warning)
      return
    }
    var candidate = base
    do throws(ConfigError) {
      for parameter in trial.parameters {
        guard let key = ConfigKey.named(parameter.key) else { continue }
        try candidate.set(key, from: parameter.value)
      }
      try candidate.validate(groups: state.groups)
    } catch {
      state.message = StatusMessage("cannot use trial \(trial.number): \(error.message)", .error)
      return
    }
    let old = state.settings
    state.settings = candidate
    state.forkParent = nil
    state.formError = nil
    state.editor = nil
    let values = trial.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    state.message = StatusMessage("trial \(trial.number) is in the form: \(values)", .success)
    prepareIfModelChanged(from: old)
  }
}
