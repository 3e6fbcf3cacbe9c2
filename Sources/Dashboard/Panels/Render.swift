import Training

/// Draws the whole dashboard for `state`: a pure function, so every screen can be tested as text.
public func render(_ state: DashboardState, into buffer: inout ScreenBuffer) {
  buffer.fill(buffer.bounds)
  let tooSmall = TooSmallScreen(
    minimumWidth: DashboardLayout.minimumWidth, minimumHeight: DashboardLayout.minimumHeight)
  if tooSmall.applies(width: buffer.width, height: buffer.height) {
    tooSmall.draw(into: &buffer)
    return
  }
  var state = state
  state.width = buffer.width
  state.height = buffer.height
  if state.screen != .main {
    renderRunsScreen(state, into: &buffer)
    return
  }
  let layout = DashboardLayout(state)
  HyperparametersPanel(state: state).draw(into: &buffer, in: layout.hyperparameters)
  LayersPanel(state: state).draw(into: &buffer, in: layout.layers)
  MetricPanels(state: state).loss().draw(into: &buffer, in: layout.loss)
  // The per-class view needs a row per class, so it grows over the Learning-rate panel as far as
  // it must, except while that panel has the focus (4 brings it back whole).
  if state.perClassView && state.focus != .learningRate {
    let place = layout.perClass(rows: PerClassPanel.rows(state))
    PerClassPanel(state: state).draw(into: &buffer, in: place.view)
    if let rest = place.learningRate { LearningRatePanel(state: state).draw(into: &buffer, in: rest) }
  } else {
    MetricPanels(state: state).accuracy().draw(into: &buffer, in: layout.accuracy)
    LearningRatePanel(state: state).draw(into: &buffer, in: layout.learningRate)
  }
  MessageLine(state: state).draw(into: &buffer, y: layout.messageRow, width: buffer.width)
  statusBar(state).draw(into: &buffer, x: 0, y: layout.statusRow, width: buffer.width)
  let area = Rect(x: 0, y: 0, width: buffer.width, height: layout.messageRow)
  switch state.overlay {
  // The main screen's keys need every row at 80×24, so the help covers the status lines too.
  case .help:
    HelpOverlay().draw(into: &buffer, in: Rect(x: 0, y: 0, width: buffer.width, height: buffer.height))
  case .confirmQuit:
    QuitConfirmation(searching: !state.isRunActive && state.search.isRunning).draw(into: &buffer, in: area)
  case .confirmDelete, nil: break
  }
}

/// The runs, compare and checkpoints screens: one full-width box over the message line and status bar.
func renderRunsScreen(_ state: DashboardState, into buffer: inout ScreenBuffer) {
  let layout = RunsLayout(width: buffer.width, height: buffer.height)
  switch state.screen {
  case .runs, .main: RunsScreen(state: state).draw(into: &buffer, in: layout.box)
  case .compare: CompareScreen(state: state).draw(into: &buffer, in: layout.box)
  case .checkpoints: CheckpointsScreen(state: state).draw(into: &buffer, in: layout.box)
  case .search: SearchScreen(state: state).draw(into: &buffer, in: layout.box)
  }
  MessageLine(state: state).draw(into: &buffer, y: layout.messageRow, width: buffer.width)
  statusBar(state).draw(into: &buffer, x: 0, y: layout.statusRow, width: buffer.width)
  switch state.overlay {
  case .help: HelpOverlay(screen: state.screen).draw(into: &buffer, in: layout.box)
  case .confirmQuit:
    QuitConfirmation(searching: !state.isRunActive && state.search.isRunning).draw(
      into: &buffer, in: layout.box)
  case .confirmDelete:
    let count = state.runs.ledger.filter { $0.kind == .history && !$0.isBest }.count
    DeleteConfirmation(count: count).draw(into: &buffer, in: layout.box)
  case nil: break
  }
}

/// The status bar's contents for `state`, with key hints looked up in the key map.
func statusBar(_ state: DashboardState) -> StatusBar {
  let run = state.run
  let last = run?.lastStep
  let epochs = run?.epochs ?? []
  let best = run?.bestEpoch
  let totalEpochs = run?.start?.hyperParameters.epochs ?? state.settings.epochs
  var eta: Double?
  if let lastEpoch = epochs.last, lastEpoch.position > 0 {
    // By position, so a mid-epoch evaluation counts the part of its epoch that is done.
    eta = lastEpoch.seconds / lastEpoch.position * max(0, Double(totalEpochs) - lastEpoch.position)
  } else if let last, let start = run?.start, last.samplesPerSecond > 0 {
    let remaining = Double(start.totalSteps - last.step) * Double(start.hyperParameters.samplesPerStep)
    eta = remaining / last.samplesPerSecond
  }
  let active = state.isRunActive
  var hints: [StatusBar.KeyHint] = []
  func hint(in context: KeyMap.Context = .global, _ action: (DashboardAction) -> Bool, _ text: String) {
    if let binding = KeyMap.bindings.first(where: { $0.context == context && action($0.action) }) {
      hints.append(StatusBar.KeyHint(binding.keys[0].displayName, text))
    }
  }
  if state.editor != nil {
    // Every printable key types into the field meanwhile, so `s`, `?` and `q` must not be offered.
    let filtering = state.editTarget == .runsFilter
    hint(in: .editing, { if case .commitEdit = $0 { true } else { false } }, filtering ? "keep" : "accept")
    hint(in: .editing, { if case .cancelEdit = $0 { true } else { false } }, filtering ? "clear" : "cancel")
  } else if state.screen != .main {
    hints = screenHints(state.screen)
  } else {
    // A watched run that has ended takes no `s`: this process never starts a run while watching.
    if active || state.watching == nil {
      hint({ if case .startStop = $0 { true } else { false } }, active ? "stop" : "start")
    }
    if active {
      hint({ if case .pauseResume = $0 { true } else { false } }, run?.status == .paused ? "resume" : "pause")
    }
    hint({ if case .showScreen(.runs) = $0 { true } else { false } }, "runs")
  }
  if state.editor == nil {
    hint({ if case .toggleHelp = $0 { true } else { false } }, "help")
    hint({ if case .quit = $0 { true } else { false } }, "quit")
  }
  return StatusBar(
    state: state.runState, epoch: last?.epoch ?? epochs.last?.epoch,
    totalEpochs: run == nil ? nil : totalEpochs,
    step: last?.step, samplesPerSecond: active ? last?.samplesPerSecond : run?.summary?.samplesPerSecond,
    tokensPerSecond: active ? last?.tokensPerSecond : nil, etaSeconds: eta,
    bestValidationLoss: best?.validationLoss,
    bestValidationAccuracy: best?.validationAccuracy,
    keyHints: hints, alert: run?.overfittingOnset.map { "⚠ overfit ep \(EpochPosition.text($0))" })
}

/// The few keys of a runs screen worth showing in the status bar, looked up in the key map.
func screenHints(_ screen: Screen) -> [StatusBar.KeyHint] {
  let wanted: [(context: KeyMap.Context, help: String, text: String)]
  switch screen {
  case .main: return []
  case .runs:
    wanted = [
      (.runs, "mark for compare (2–6)", "mark"), (.runs, "compare the marked runs", "compare"),
      (.runs, "resume a stopped run", "resume"), (.runs, "fork from its best epoch", "fork"),
    ]
  case .compare:
    wanted = [
      (.compare, "val loss / val acc / train loss", "metric"), (.compare, "x axis epoch / step", "x axis"),
    ]
  case .checkpoints:
    wanted = [
      (.checkpoints, "promote (copy to promoted)", "promote"),
      (.checkpoints, "delete all but best", "delete"),
    ]
  case .search:
    wanted = [
      (.search, "start / stop the search", "start/stop"),
      (.search, "open the trial's run", "open"), (.search, "copy settings to the form", "use"),
    ]
  }
  var hints = wanted.compactMap { want in
    KeyMap.bindings.first { $0.context == want.context && $0.help == want.help }
      .map { StatusBar.KeyHint($0.keys[0].displayName, want.text) }
  }
  hints.append(StatusBar.KeyHint("Esc", "back"))
  return hints
}
