import Testing
import Training

@testable import Dashboard

@Test func arrowsAndVimKeysMoveTheFormFocus() {
  var state = idleState()
  _ = press([.down, .character("j"), .character("j")], &state)
  #expect(state.focusedKey == ConfigKey.all[3])
  _ = press([.up, .character("k")], &state)
  #expect(state.formIndex == 1)
  _ = press([.up, .up, .up], &state)
  #expect(state.formIndex == 0)
}

@Test func panelKeysAndTabMoveFocus() {
  var state = idleState()
  _ = press([.character("3")], &state)
  #expect(state.focus == .accuracy)
  _ = press([.tab, .tab], &state)
  #expect(state.focus == .layers)
  _ = press([.tab], &state)
  #expect(state.focus == .hyperparameters)
  _ = press([.backTab], &state)
  #expect(state.focus == .layers)
}

@Test func enterEditsAndCommitsAValue() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.enter], &state)
  #expect(state.editor?.text == "0.001")
  _ = press([.backspace, .backspace, .backspace, .backspace, .backspace] + type("3e-4") + [.enter], &state)
  #expect(state.editor == nil)
  #expect(state.settings.learningRate == 3e-4)
  #expect(state.formError == nil)
}

@Test func typingReplacesTheSelectedOldValueAndACursorKeyEditsItInPlace() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.enter], &state)
  #expect(state.editor?.selectsAll == true)
  // While a field is typed into, s, ? and q are text: the status bar offers only Enter and Esc.
  var buffer = ScreenBuffer(width: 80, height: 24)
  render(state, into: &buffer)
  let statusLine = buffer.line(23)
  #expect(statusLine.contains("Enter accept") && statusLine.contains("Esc cancel"), "\(statusLine)")
  #expect(!statusLine.contains("q quit") && !statusLine.contains("s start"), "\(statusLine)")
  _ = press(type("3e-3") + [.enter], &state)
  #expect(state.settings.learningRate == 3e-3, "typing replaced 0.001 instead of appending to it")

  // A cursor key keeps the value: End then 5 appends a digit.
  _ = press([.enter, .end] + type("5") + [.enter], &state)
  #expect(state.settings.learningRate == 0.0035, "the form shows 3e-3 as 0.003")
  // Backspace on the selection clears it; what is typed next is the value.
  state.formIndex = ConfigKey.all.firstIndex(of: .epochs)!
  _ = press([.enter, .backspace], &state)
  #expect(state.editor?.text == "")
  _ = press(type("12") + [.enter], &state)
  #expect(state.settings.epochs == 12)
}

@Test func aSelectedValueIsDrawnReversedAndTheCursorCellOtherwise() {
  var buffer = ScreenBuffer(width: 30, height: 1)
  FormRow(label: "epochs", value: "40", editing: true, cursor: 2, selected: true, labelWidth: 8)
    .draw(into: &buffer, x: 0, y: 0, width: 30)
  #expect((10...11).allSatisfy { buffer[$0, 0].style.reverse } && !buffer[12, 0].style.reverse)
  FormRow(label: "epochs", value: "40", editing: true, cursor: 2, labelWidth: 8)
    .draw(into: &buffer, x: 0, y: 0, width: 30)
  #expect(!buffer[10, 0].style.reverse && !buffer[11, 0].style.reverse && buffer[12, 0].style.reverse)
}

@Test func aBadValueIsRefusedInlineAndNothingChanges() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.enter, .home, .delete, .delete, .delete, .delete, .delete] + type("-1") + [.enter], &state)
  #expect(state.settings.learningRate == 1e-3)
  #expect(state.editor?.text == "-1")  // still editing, so the value can be fixed
  #expect(state.formError?.message == "learning_rate must be > 0 and ≤ 10, got -1")
  #expect(state.message?.kind == .error)
  _ = press([.escape], &state)
  #expect(state.editor == nil)
  #expect(state.formError == nil)
  #expect(state.settings.learningRate == 1e-3)
}

@Test func crossKeyRulesAreCheckedToo() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .warmupEpochs)!
  _ = press([.enter, .backspace] + type("50") + [.enter], &state)
  #expect(state.settings.warmupEpochs == 1)
  #expect(state.formError?.message.contains("must be less than epochs") == true)
}

@Test func stepsUseTheTable() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.right], &state)
  #expect(state.settings.learningRate == HyperParameters().stepped(.learningRate, by: 1).learningRate)
  _ = press([.character("-"), .character("-")], &state)
  #expect(state.settings.learningRate == HyperParameters().stepped(.learningRate, by: -1).learningRate)
  state.formIndex = ConfigKey.all.firstIndex(of: .optimizer)!
  _ = press([.right], &state)
  #expect(state.settings.optimizer == HyperParameters().stepped(.optimizer, by: 1).optimizer)
}

@Test func resetOneAndResetAll() {
  var state = idleState()
  state.settings.dropout = 0.5
  state.settings.epochs = 7
  state.formIndex = ConfigKey.all.firstIndex(of: .dropout)!
  _ = press([.character("r")], &state)
  #expect(state.settings.dropout == HyperParameters().dropout)
  #expect(state.settings.epochs == 7)
  _ = press([.character("R")], &state)
  #expect(state.settings == HyperParameters())
}

@Test func changingTheDataAsksForTheModelAgain() {
  var state = idleState()
  state.formIndex = ConfigKey.all.firstIndex(of: .trainSamples)!
  let effects = press([.right], &state)
  #expect(effects == [.prepareModel(state.settings)])
  state.formIndex = ConfigKey.all.firstIndex(of: .dropout)!
  #expect(press([.right], &state).isEmpty)
}

@Test func saveWritesYAMLToTheConfigPath() {
  var state = idleState()
  state.configPath = "my.yaml"
  let effects = press([.character("w")], &state)
  #expect(effects == [.writeFile(path: "my.yaml", contents: state.settings.yaml())])
}

@Test func startThenStopEmitsEffectsAndKeepsTheCurves() {
  var state = idleState()
  let start = press([.character("s")], &state)
  #expect(start == [.startRun(state.settings)])
  #expect(state.runState == .running)
  _ = reduce(&state, .trainingEvents(scriptedEvents(epochs: 3)))
  #expect(state.run?.epochs.count == 4)
  let stop = press([.character("s")], &state)
  #expect(stop == [.send(.stop)])
  #expect(press([.character("s")], &state).isEmpty)  // one stop is enough
  _ = reduce(
    &state,
    .trainingEvents([.statusChanged(.stopped), .finished(RunSummary(status: .stopped, epochsRun: 3))]))
  #expect(state.runState == .stopped)
  #expect(!state.isRunActive)
  #expect(state.run?.epochs.count == 4)
}

@Test func pauseAndResume() {
  var state = idleState()
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(scriptedEvents(epochs: 1)))
  #expect(press([.character("p")], &state) == [.send(.pause)])
  _ = reduce(&state, .trainingEvents([.statusChanged(.paused)]))
  #expect(state.runState == .paused)
  #expect(press([.character("p")], &state) == [.send(.resume)])
}

@Test func aFailedStartReturnsToIdle() {
  var state = idleState()
  _ = press([.character("s")], &state)
  _ = reduce(&state, .runFailedToStart("no such CSV file"))
  #expect(state.runState == .idle)
  #expect(state.message?.text.contains("no such CSV file") == true)
}

@Test func duringARunOnlyHotKeysEditAndTheyAreSent() {
  var state = idleState()
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(scriptedEvents(epochs: 1)))
  state.formIndex = ConfigKey.all.firstIndex(of: .epochs)!
  #expect(press([.right, .enter], &state).isEmpty)
  #expect(state.editor == nil)
  #expect(state.settings.epochs == HyperParameters().epochs)
  #expect(state.message?.text.contains("locked") == true)
  state.formIndex = ConfigKey.all.firstIndex(of: .dropout)!
  #expect(press([.right], &state) == [.send(.setDropout(0.15))])
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  let effects = press(
    [.enter, .backspace, .backspace, .backspace, .backspace, .backspace] + type("0.01") + [.enter], &state)
  #expect(effects == [.send(.setLearningRate(0.01))])
}

@Test func spaceFreezesBeforeARunAndSendsAHotEditDuringOne() {
  var state = idleState()
  _ = press([.character("5"), .character(" ")], &state)
  #expect(state.settings.frozen == ["hidden1"])
  #expect(state.isFrozen("hidden1"))
  _ = press([.character(" ")], &state)
  #expect(state.settings.frozen == [])
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(scriptedEvents(epochs: 1)))
  // The scripted run starts with hidden1 frozen.
  #expect(press([.character(" ")], &state) == [.send(.setFrozen(group: "hidden1", frozen: false))])
  _ = reduce(
    &state, .trainingEvents([.hotEdit(.freeze(group: "hidden1", frozen: false, bySchedule: false), step: 9)]))
  #expect(!state.isFrozen("hidden1"))
  _ = press([.down], &state)
  #expect(press([.character(" ")], &state) == [.send(.setFrozen(group: "hidden2", frozen: true))])
}

@Test func helpOverlayOpensAndAnyKeyClosesIt() {
  var state = idleState()
  _ = press([.character("?")], &state)
  #expect(state.overlay == .help)
  _ = press([.character("x")], &state)
  #expect(state.overlay == nil)
}

@Test func quittingIdleQuitsAtOnce() {
  var state = idleState()
  #expect(press([.character("q")], &state) == [.quit])
  #expect(state.quitting)
}

@Test func quittingDuringARunAsks() {
  var state = idleState()
  _ = press([.character("s")], &state)
  #expect(press([.character("q")], &state).isEmpty)
  #expect(state.overlay == .confirmQuit)
  _ = press([.character("n")], &state)
  #expect(state.overlay == nil)
  #expect(!state.quitting)
  _ = press([.character("q")], &state)
  #expect(press([.character("y")], &state) == [.quit])
  #expect(state.quitting)
}

@Test func ctrlCCancelsAnEditElseQuits() {
  var state = idleState()
  _ = press([.enter], &state)
  #expect(reduce(&state, .interrupt).isEmpty)
  #expect(state.editor == nil)
  #expect(!state.quitting)
  #expect(reduce(&state, .interrupt) == [.quit])
}

@Test func theFormScrollsToKeepTheFocusVisible() {
  var state = idleState()
  _ = press([.end], &state)
  #expect(state.formIndex == state.formKeys.count - 1)
  let rows = DashboardLayout(state).formRows
  #expect(state.formTop == state.formKeys.count - rows)
  _ = press([.home], &state)
  #expect(state.formTop == 0)
}

@Test func overfittingIsCalledFromTheEpochs() {
  let state = midRunState(width: 80, height: 24)
  #expect(state.run?.overfittingOnset == 6)
  #expect(state.run?.bestEpoch?.epoch == 6)
  #expect(state.message?.kind == .warning || state.message?.text.contains("running") == true)
}

@Test func themesCycle() {
  var state = idleState()
  state.themeNames = ["default", "nord"]
  #expect(press([.character("t")], &state) == [.loadTheme("nord")])
  _ = reduce(&state, .themeLoaded(name: "nord", warnings: []))
  #expect(press([.character("t")], &state) == [.loadTheme("default")])
}
