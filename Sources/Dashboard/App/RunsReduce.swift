import Foundation
import Training

/// The reducer's half for the runs screens and the run name field; files are read and written by
/// the app loop through effects, whose results come back as `.runsLoaded` and friends.
extension Reducer {
  mutating func applyRuns(_ action: DashboardAction) {
    switch action {
    case .editRunName:
      state.editor = FieldEditor(text: state.runName)
      state.editTarget = .runName
      state.formError = nil
    case .beginRunsFilter:
      state.editor = FieldEditor(text: state.runs.filter)
      state.editTarget = .runsFilter
    case .showScreen(let screen):
      if screen == .runs { state.runs.openedFrom = nil }
      show(screen)
    case .back:
      if state.screen == .runs, !state.runs.filter.isEmpty {
        // As in htop, Esc first drops the filter, then leaves.
        setRunsFilter("")
        state.message = StatusMessage("filter cleared: every run is listed")
      } else if state.screen == .runs, let origin = state.runs.openedFrom {
        state.runs.openedFrom = nil
        show(origin)
      } else {
        show(state.screen.parent)
      }
    case .toggleMark: toggleMark()
    case .clearMarks:
      state.runs.marked = []
      state.message = StatusMessage("no runs marked")
    case .cycleSortColumn(let offset):
      let all = RunCatalog.SortColumn.allCases
      let index = all.firstIndex(of: state.runs.sortColumn) ?? 0
      state.runs.sortColumn = all[((index + offset) % all.count + all.count) % all.count]
      state.runs.reversed = false
      state.runs.resort()
      state.message = StatusMessage("sorted by \(state.runs.sortColumn.rawValue)")
    case .flipSortOrder:
      state.runs.reversed.toggle()
      state.runs.resort()
    case .openCompare: openCompare()
    case .cycleCompareMetric: state.runs.metric = state.runs.metric.next
    case .toggleCompareAxis: state.runs.axis = state.runs.axis == .epoch ? .step : .epoch
    case .openCheckpoints:
      guard let run = state.runs.selected else { return }
      state.runs.ledgerRun = run.path
      state.runs.ledger = []
      state.runs.ledgerIndex = 0
      state.screen = .checkpoints
      effects.append(.loadCheckpoints(run.path))
    case .promoteCheckpoint:
      guard let run = state.runs.ledgerRun, state.runs.ledger.indices.contains(state.runs.ledgerIndex) else {
        return
      }
      let entry = state.runs.ledger[state.runs.ledgerIndex]
      guard entry.kind != .promoted else {
        state.message = StatusMessage("this is the promoted checkpoint already")
        return
      }
      effects.append(.promoteCheckpoint(run: run, entry))
    case .deleteCheckpoints:
      let doomed = state.runs.ledger.filter { $0.kind == .history && !$0.isBest }.count
      guard state.runs.ledgerRun != nil, doomed > 0 else {
        state.message = StatusMessage("nothing to delete: only the best checkpoint is kept")
        return
      }
      state.overlay = .confirmDelete
    case .confirmDelete:
      state.overlay = nil
      if let run = state.runs.ledgerRun { effects.append(.deleteCheckpoints(run: run)) }
    case .cancelDelete:
      state.overlay = nil
      state.message = StatusMessage("kept every checkpoint")
    case .resumeSelected: resumeSelected()
    case .forkSelected:
      guard let run = state.runs.selected else { return }
      effects.append(.planFork(run.path))
    case .exportRuns: exportRuns()
    case .runsLoaded(let records):
      state.runs.replaceRecords(records)
      keepRunVisible()
      revealSearchTrial()
    case .curvesLoaded(let curves):
      state.runs.curves = curves
    case .checkpointsLoaded(let run, let entries):
      guard run == state.runs.ledgerRun else { return }
      state.runs.ledger = entries
      state.runs.ledgerIndex = min(state.runs.ledgerIndex, max(0, entries.count - 1))
    case .forkPlanned(let settings, let parent):
      forkPlanned(settings, parent: parent)
    case .runResumed(let settings, let epochs):
      state.settings = settings
      state.run?.restore(earlier: epochs)
      state.screen = .main
    default:
      break
    }
  }

  mutating func show(_ screen: Screen) {
    state.screen = screen
    state.overlay = nil
    switch screen {
    case .runs: effects.append(.loadRuns)
    case .compare: effects.append(.loadCurves(state.runs.marked))
    case .checkpoints, .main, .search: break
    }
  }

  /// Moves the cursor of the runs table or of the checkpoint list.
  mutating func moveInRuns(by offset: Int) {
    switch state.screen {
    case .runs:
      state.runs.selection = min(max(0, state.runs.selection + offset), max(0, state.runs.records.count - 1))
      keepRunVisible()
    case .checkpoints:
      state.runs.ledgerIndex = min(
        max(0, state.runs.ledgerIndex + offset), max(0, state.runs.ledger.count - 1))
    case .search: moveInSearch(by: offset)
    case .main, .compare: break
    }
  }

  /// Scrolls the table so the selected run is on screen.
  mutating func keepRunVisible() {
    state.runs.top = Scrolling.top(
      state.runs.top, keeping: state.runs.selection,
      rows: max(1, RunsLayout(width: state.width, height: state.height).tableRows),
      count: state.runs.records.count)
  }

  mutating func toggleMark() {
    guard let run = state.runs.selected else { return }
    if let index = state.runs.marked.firstIndex(of: run.path) {
      state.runs.marked.remove(at: index)
    } else if state.runs.marked.count >= RunsView.maxMarked {
      state.message = StatusMessage(
        "at most \(RunsView.maxMarked) runs can be compared; unmark one first (u clears all)", .warning)
      return
    } else {
      state.runs.marked.append(run.path)
    }
    state.message = StatusMessage("\(state.runs.marked.count) marked; c compares 2–\(RunsView.maxMarked)")
    moveInRuns(by: 1)
  }

  mutating func openCompare() {
    guard state.runs.marked.count >= 2 else {
      state.message = StatusMessage("mark 2–\(RunsView.maxMarked) runs with Space, then press c", .warning)
      return
    }
    state.runs.curves = []
    show(.compare)
  }

  mutating func resumeSelected() {
    guard let record = state.runs.selected else { return }
    if state.isRunActive {
      state.message = StatusMessage("a run is active; stop it (s) before resuming another", .warning)
      return
    }
    if state.search.isRunning {
      state.message = StatusMessage(
        "a search is running; stop it (s in the Search view) before resuming a run", .warning)
      return
    }
    let status = record.summary?.status
    guard let status, ResumableRun.resumableStatuses.contains(status), !record.isLive else {
      state.message = StatusMessage(
        "\(record.name) is \(record.statusText); only stopped, interrupted or killed runs resume", .warning)
      return
    }
    state.run = RunHistory()
    state.editor = nil
    state.message = StatusMessage("resuming \(record.name)…")
    state.screen = .main
    effects.append(.resumeRun(record.path))
  }

  mutating func exportRuns() {
    let paths =
      state.screen == .compare || !state.runs.marked.isEmpty
      ? state.runs.marked : state.runs.selected.map { [$0.path] } ?? []
    guard !paths.isEmpty else {
      state.message = StatusMessage("no run to export", .warning)
      return
    }
    let name = paths.count == 1 ? URL(fileURLWithPath: paths[0]).lastPathComponent : "\(paths.count)-runs"
    effects.append(.exportRuns(paths, path: "tunetop-export-\(name).csv"))
  }

  mutating func forkPlanned(_ settings: HyperParameters, parent: RunParent) {
    if state.isRunActive {
      state.message = StatusMessage("a run is active; stop it (s) before forking", .warning)
      return
    }
    let old = state.settings
    state.settings = settings
    state.forkParent = parent
    state.runName = ""
    state.editor = nil
    state.formError = nil
    state.screen = .main
    state.focus = .hyperparameters
    state.message = StatusMessage(
      "fork of \(parent.run) from epoch \(parent.epoch): edit the settings, then s starts it", .success)
    prepareIfModelChanged(from: old)
  }

  /// Accepts or cancels the run name being typed.
  mutating func finishRunNameEdit(commit: Bool) {
    defer { state.editor = nil }
    guard commit, let text = state.editor?.text else { return }
    let name = text.trimmingCharacters(in: .whitespaces)
    state.runName = name
    state.message = StatusMessage(
      name.isEmpty
        ? "the next run is named automatically: \(state.effectiveRunName)" : "the next run: \(name)")
  }

  /// Lists only the runs matching `text` and keeps the cursor in view.
  mutating func setRunsFilter(_ text: String) {
    state.runs.setFilter(text)
    keepRunVisible()
  }

  /// Keeps the filter typed (Enter) or drops it (Esc).
  mutating func finishRunsFilterEdit(commit: Bool) {
    defer { state.editor = nil }
    let text = commit ? (state.editor?.text ?? "").trimmingCharacters(in: .whitespaces) : ""
    setRunsFilter(text)
    state.message = StatusMessage(
      text.isEmpty
        ? "every run is listed"
        : "\(state.runs.records.count) of \(state.runs.allRecords.count) runs match \"\(text)\"; Esc clears")
  }
}
