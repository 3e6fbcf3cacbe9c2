import Training

/// The one place `DashboardState` changes: a pure function of the state and an action that returns the
/// effects (start a run, send a hot edit, write a file) for the app loop to perform.
public func reduce(_ state: DashboardState, _ action: DashboardAction) -> (DashboardState, [DashboardEffect])
{
  var next = state
  let effects = reduce(&next, action)
  return (next, effects)
}

/// In-place form of `reduce`, so the loop does not copy the metric history on every tick.
public func reduce(_ state: inout DashboardState, _ action: DashboardAction) -> [DashboardEffect] {
  // Swapping rather than copying keeps the history's buffers uniquely referenced, so appending a
  // step does not copy them.
  var reducer = Reducer(state: DashboardState(settings: HyperParameters()))
  swap(&reducer.state, &state)
  reducer.apply(action)
  reducer.keepFocusVisible()
  swap(&reducer.state, &state)
  return reducer.effects
}

/// The reducer's working copy and the effects collected so far.
struct Reducer {
  var state: DashboardState
  var effects: [DashboardEffect] = []

  /// Keys whose change alters the model or the data, so groups and sample counts must be re-read.
  static let modelKeys: [ConfigKey] = [
    .task, .baseModel, .hiddenSizes, .resetHead, .trainSamples, .valFraction, .seed, .valTask, .testTask,
  ]

  mutating func apply(_ action: DashboardAction) {
    if state.watching?.confirmingStop == true, action.isKeyCommand, !action.isStartStop {
      state.watching?.confirmingStop = false
      state.message = StatusMessage("the watched run keeps running")
    }
    switch action {
    case .moveUp: move(by: -1)
    case .moveDown: move(by: 1)
    case .pageUp: move(by: -max(1, pageRows - 1))
    case .pageDown: move(by: max(1, pageRows - 1))
    // Past any list's end (a runs table can be far longer than the form); `move` clamps.
    case .moveFirst: move(by: -Int(Int32.max))
    case .moveLast: move(by: Int(Int32.max))
    case .focusNext: state.focus = state.focus.cycled(by: 1)
    case .focusPrevious: state.focus = state.focus.cycled(by: -1)
    case .focusPanel(let panel):
      state.focus = panel
      state.screen = .main
    case .beginEdit: beginEdit()
    case .commitEdit:
      switch state.editTarget {
      case .setting: commitEdit()
      case .runName: finishRunNameEdit(commit: true)
      case .runsFilter: finishRunsFilterEdit(commit: true)
      }
    case .cancelEdit:
      switch state.editTarget {
      case .setting: break
      case .runName: finishRunNameEdit(commit: false)
      case .runsFilter: finishRunsFilterEdit(commit: false)
      }
      state.editor = nil
      state.formError = nil
    case .stepValue(let direction): step(direction)
    case .resetFocused: resetFocused()
    case .resetAll: resetAll()
    case .saveConfig:
      effects.append(.writeFile(path: state.configPath, contents: state.settings.yaml()))
    case .insert(let character):
      state.editor?.insert(character)
      filterRunsAsTyped()
    case .deleteBackward:
      state.editor?.deleteBackward()
      filterRunsAsTyped()
    case .deleteForward:
      state.editor?.deleteForward()
      filterRunsAsTyped()
    case .cursorLeft: state.editor?.moveCursor(by: -1)
    case .cursorRight: state.editor?.moveCursor(by: 1)
    case .cursorHome: state.editor?.moveCursorHome()
    case .cursorEnd: state.editor?.moveCursorEnd()
    case .startStop: startStop()
    case .pauseResume: pauseResume()
    case .toggleFreeze: toggleFreeze()
    case .toggleLogScale: state.logScale.toggle()
    case .toggleSmoothing: state.smoothing.toggle()
    case .togglePerClassView: state.perClassView.toggle()
    case .cycleTheme:
      let names = state.themeNames.isEmpty ? ["default"] : state.themeNames
      let index = names.firstIndex(of: state.themeName) ?? -1
      effects.append(.loadTheme(names[(index + 1) % names.count]))
    case .toggleHelp: state.overlay = state.overlay == .help ? nil : .help
    case .closeOverlay: state.overlay = nil
    case .quit: quit()
    case .confirmQuit:
      state.overlay = nil
      state.quitting = true
      effects.append(.quit)
    case .cancelQuit: state.overlay = nil
    case .interrupt:
      if state.editor != nil {
        apply(.cancelEdit)
      } else if state.overlay == .confirmQuit {
        apply(.confirmQuit)  // a second Ctrl-C means it
      } else {
        quit()
      }
    case .resize(let width, let height):
      state.width = width
      state.height = height
    case .trainingEvents(let events): apply(events)
    case .modelPrepared(let info):
      state.model = info
      state.modelError = nil
      state.layerIndex = min(state.layerIndex, max(0, info.groups.count - 1))
    case .modelFailed(let reason):
      state.model = nil
      state.modelError = reason
      state.message = StatusMessage(reason, .error)
    case .runFailedToStart(let reason):
      state.run = nil
      state.message = StatusMessage("cannot start: \(reason)", .error)
    case .themeLoaded(let name, let warnings):
      state.themeName = name
      state.message =
        warnings.isEmpty
        ? StatusMessage("theme \(name)") : StatusMessage(warnings.joined(separator: "; "), .warning)
    case .showMessage(let text, let kind):
      state.message = StatusMessage(text, kind)
    case .editRunName, .showScreen, .back, .toggleMark, .clearMarks, .beginRunsFilter, .cycleSortColumn,
      .flipSortOrder,
      .openCompare, .cycleCompareMetric, .toggleCompareAxis, .openCheckpoints, .promoteCheckpoint,
      .deleteCheckpoints, .confirmDelete, .cancelDelete, .resumeSelected, .forkSelected, .exportRuns,
      .runsLoaded, .curvesLoaded, .checkpointsLoaded, .forkPlanned, .runResumed:
      applyRuns(action)
    case .watch(let action): applyWatch(action)
    case .watchSelected: watchSelected()
    case .lrFinder(let action): applyLRFinder(action)
    case .search(let action): applySearch(action)
    }
  }

  // MARK: - Focus

  /// Rows a page key moves: the form's on the main screen, the table's on the runs screens.
  var pageRows: Int {
    switch state.screen {
    case .main: DashboardLayout(state).formRows
    case .search: SearchLayout(width: state.width, height: state.height).tableRows
    default: RunsLayout(width: state.width, height: state.height).tableRows
    }
  }

  mutating func move(by offset: Int) {
    guard state.screen == .main else {
      moveInRuns(by: offset)
      return
    }
    switch state.focus {
    case .hyperparameters:
      state.formIndex = min(max(0, state.formIndex + offset), state.formKeys.count - 1)
      state.formError = nil
    case .layers:
      state.layerIndex = min(max(0, state.layerIndex + offset), max(0, state.groups.count - 1))
    default: break
    }
  }

  /// Scrolls the form and the Layers panel so their selected rows are on screen.
  mutating func keepFocusVisible() {
    let layout = DashboardLayout(state)
    state.formTop = Scrolling.top(
      state.formTop, keeping: state.formIndex, rows: max(1, layout.formRows), count: state.formKeys.count)
    state.layersTop = Scrolling.top(
      state.layersTop, keeping: state.layerIndex, rows: max(1, layout.layerRows), count: state.groups.count)
  }

  // MARK: - The form

  /// The runs table narrows with every key typed into its filter.
  mutating func filterRunsAsTyped() {
    if state.editingRunsFilter, let editor = state.editor { setRunsFilter(editor.text) }
  }

  mutating func beginEdit() {
    let key = state.focusedKey
    if let reason = state.lockReason(key) {
      state.message = StatusMessage("\(key.name) is \(reason)", .warning)
      return
    }
    state.editor = FieldEditor(text: state.settings.value(of: key))
    state.editTarget = .setting
    state.formError = nil
  }

  mutating func commitEdit() {
    guard let editor = state.editor else { return }
    let key = state.focusedKey
    var candidate = state.settings
    do throws(ConfigError) {
      try candidate.set(key, from: editor.text)
    } catch {
      refuse(key, error.message)
      return
    }
    guard accept(candidate, changing: key) else { return }
    state.editor = nil
  }

  mutating func step(_ direction: Int) {
    let key = state.focusedKey
    if let reason = state.lockReason(key) {
      state.message = StatusMessage("\(key.name) is \(reason)", .warning)
      return
    }
    switch key.kind {
    case .text, .integerList, .nameList:
      state.message = StatusMessage("\(key.name) has no steps; press Enter to type a value")
      return
    default: break
    }
    _ = accept(state.settings.stepped(key, by: direction), changing: key)
  }

  mutating func resetFocused() {
    let key = state.focusedKey
    if let reason = state.lockReason(key) {
      state.message = StatusMessage("\(key.name) is \(reason)", .warning)
      return
    }
    var candidate = state.settings
    candidate.reset(key)
    _ = accept(candidate, changing: key)
  }

  mutating func resetAll() {
    if state.isRunActive || state.watching != nil {
      state.message = StatusMessage("stop the run before resetting every setting", .warning)
      return
    }
    let old = state.settings
    state.settings = HyperParameters()
    state.forkParent = nil
    state.formError = nil
    state.editor = nil
    state.message = StatusMessage("every setting is back to its default")
    prepareIfModelChanged(from: old)
  }

  /// Takes a changed copy of the settings if it validates as a whole, else refuses it with the reason.
  mutating func accept(_ candidate: HyperParameters, changing key: ConfigKey) -> Bool {
    do throws(ConfigError) {
      if state.groups.isEmpty || key != .frozen {
        try candidate.validate()
      } else {
        try candidate.validate(groups: state.groups)
      }
    } catch {
      refuse(key, error.message)
      return false
    }
    let old = state.settings
    state.settings = candidate
    state.formError = nil
    if candidate == old { return true }
    // Other weights to start from make it a new run rather than a fork.
    if candidate.baseModel != old.baseModel { state.forkParent = nil }
    state.message = nil
    if state.isRunActive {
      sendHotEdit(key)
    } else {
      prepareIfModelChanged(from: old)
    }
    return true
  }

  mutating func refuse(_ key: ConfigKey, _ message: String) {
    state.formError = (key.name, message)
    state.message = StatusMessage(message, .error)
  }

  mutating func sendHotEdit(_ key: ConfigKey) {
    let settings = state.settings
    switch key {
    case .learningRate: effects.append(.send(.setLearningRate(settings.learningRate)))
    case .dropout: effects.append(.send(.setDropout(settings.dropout)))
    case .weightDecay: effects.append(.send(.setWeightDecay(settings.weightDecay)))
    default: return
    }
    state.message = StatusMessage("\(key.name) → \(settings.value(of: key)) from the next batch")
  }

  mutating func prepareIfModelChanged(from old: HyperParameters) {
    let changed = Reducer.modelKeys.contains { old.value(of: $0) != state.settings.value(of: $0) }
    if changed { effects.append(.prepareModel(state.settings)) }
  }

  // MARK: - Runs

  /// Checks the settings as a whole (against the model's groups once they are known); when they
  /// fail, says why in the status line after `refusal` and returns false.
  mutating func settingsAreValid(else refusal: String) -> Bool {
    do throws(ConfigError) {
      if state.groups.isEmpty {
        try state.settings.validate()
      } else {
        try state.settings.validate(groups: state.groups)
      }
      return true
    } catch {
      state.message = StatusMessage("\(refusal): \(error.message)", .error)
      return false
    }
  }

  mutating func startStop() {
    if state.watching != nil { return watchStartStop() }
    if let run = state.run, run.isActive {
      guard !run.stopRequested else { return }
      state.run?.stopRequested = true
      effects.append(.send(.stop))
      state.message = StatusMessage("stopping after this batch; best and last are kept")
      return
    }
    if state.search.isRunning {
      state.message = StatusMessage(
        "a search is running and its trials use the cores; stop it in the Search view (S, then s) first",
        .warning)
      return
    }
    guard settingsAreValid(else: "cannot start") else { return }
    state.editor = nil
    state.formError = nil
    state.run = RunHistory()
    state.message = StatusMessage("starting…")
    effects.append(
      .startRun(
        state.settings, name: state.runName.isEmpty && state.forkParent == nil ? nil : state.effectiveRunName,
        parent: state.forkParent))
    state.runName = ""
  }

  mutating func pauseResume() {
    guard let run = state.run, run.phase == .active, !run.stopRequested else {
      state.message = StatusMessage("no run to pause; press s to start one")
      return
    }
    effects.append(.send(run.status == .paused ? .resume : .pause))
  }

  mutating func toggleFreeze() {
    let groups = state.groups
    guard state.layerIndex < groups.count else { return }
    let group = groups[state.layerIndex]
    if state.watching != nil, state.run?.isActive != true {
      state.message = StatusMessage("read-only: the watched run has ended", .warning)
      return
    }
    if let run = state.run, run.isActive {
      guard run.phase == .active, !run.stopRequested else { return }
      let frozen = !run.frozen.contains(group)
      effects.append(.send(.setFrozen(group: group, frozen: frozen)))
      state.message = StatusMessage("\(frozen ? "freezing" : "unfreezing") \(group) from the next batch")
      return
    }
    var candidate = state.settings
    if let index = candidate.frozen.firstIndex(of: group) {
      candidate.frozen.remove(at: index)
    } else {
      // Keep the list in model order so the YAML and run names read naturally.
      candidate.frozen = groups.filter { candidate.frozen.contains($0) || $0 == group }
    }
    _ = accept(candidate, changing: .frozen)
  }

  mutating func quit() {
    // Quitting a viewer leaves the watched run alone, so there is nothing to ask.
    if (state.isRunActive && state.watching == nil) || state.search.isRunning {
      state.overlay = .confirmQuit
      return
    }
    state.quitting = true
    effects.append(.quit)
  }

  mutating func apply(_ events: [TrainingEvent]) {
    guard state.run != nil else { return }
    let patience = state.settings.earlyStoppingPatience
    let minDelta = state.settings.minDelta
    for event in events {
      if case .started(let start) = event {
        state.model = ModelInfo(
          groups: start.groups, parameterCounts: start.parameterCounts, trainSamples: start.trainSamples,
          validationSamples: start.validationSamples, kind: start.modelKind ?? state.model?.kind)
        state.message =
          state.watching.map { "watching \($0.name) (\($0.source)); q leaves it running" }
          .map { StatusMessage($0) } ?? StatusMessage("running → \(start.directory ?? "(not saved)")")
      }
      if let message = state.run?.apply(event, patience: patience, minDelta: minDelta) {
        state.message = message
      }
    }
    if state.run?.isActive == false, state.overlay == .confirmQuit { state.overlay = nil }
  }
}
