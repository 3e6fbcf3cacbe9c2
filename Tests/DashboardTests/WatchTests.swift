import Testing

@testable import Dashboard
@testable import Training

/// A dashboard watching a run another process writes, mid-run: the events are what a
/// `RunFollower` would feed it.
private func watchingState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = idleState(width: width, height: height)
  var settings = HyperParameters()
  settings.epochs = 40
  settings.earlyStoppingPatience = 3
  let watched = WatchedRun(path: "runs/20260101-000000-test", name: "20260101-000000-test", source: "pytorch")
  _ = reduce(&state, .watch(.begin(watched, settings: settings)))
  _ = reduce(&state, .trainingEvents(scriptedEvents()))
  return state
}

@Test func watchingShowsTheRunAndQuittingNeverAsksOrTouchesIt() {
  var state = watchingState()
  #expect(state.isRunActive)
  #expect(state.watching?.source == "pytorch")
  let effects = press([.character("q")], &state)
  #expect(effects == [.quit], "no stop is sent and nothing is asked")
  #expect(state.overlay == nil)
  #expect(state.quitting)
}

@Test func pauseIsSentAndPendingUntilTheTrainerAnswers() {
  var state = watchingState()
  #expect(press([.character("p")], &state) == [.send(.pause)])
  _ = reduce(&state, .watch(.sent(id: 3, text: "pause")))
  #expect(state.watching?.pending == [PendingCommand(id: 3, text: "pause")])
  #expect(state.message?.text.contains("pending until the trainer answers") == true)
  // An answer to someone else's command (a `tunetop ctl` meanwhile) leaves ours pending.
  _ = reduce(&state, .watch(.answered([2: .applied(step: 80)])))
  #expect(state.watching?.pending.count == 1)
  _ = reduce(&state, .watch(.answered([3: .applied(step: 84)])))
  #expect(state.watching?.pending.isEmpty == true)
  #expect(state.message?.text == "pause: applied at step 84")
  _ = reduce(&state, .trainingEvents([.statusChanged(.paused)]))
  #expect(state.runState == .paused)
  #expect(press([.character("p")], &state) == [.send(.resume)])
}

@Test func stopIsAskedBeforeItIsSentAndAnyOtherKeyKeepsTheRun() {
  var state = watchingState()
  #expect(press([.character("s")], &state).isEmpty)
  #expect(state.message?.text.contains("s again stops it (best and last are kept)") == true)
  #expect(press([.character("l")], &state) == [])
  #expect(state.watching?.confirmingStop == false)
  #expect(press([.character("s")], &state).isEmpty, "the question is asked again")
  #expect(press([.character("s")], &state) == [.send(.stop)])
  #expect(state.run?.stopRequested == true)
  _ = reduce(&state, .watch(.sent(id: 9, text: "stop")))
  _ = reduce(&state, .watch(.answered([9: .refused(reason: "the run has ended (completed)")])))
  #expect(state.run?.stopRequested == false)
  #expect(state.message?.text == "stop: refused: the run has ended (completed)")
  #expect(state.message?.kind == .error)
}

@Test func onlyTheHotKeysAreEditableAndTheirEditsAreSent() {
  var state = watchingState()
  state.focus = .hyperparameters
  state.formIndex = ConfigKey.all.firstIndex(of: .epochs)!
  _ = press([.enter], &state)
  #expect(state.editor == nil)
  #expect(state.message?.text.contains("read-only: the watched run's config") == true)
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.enter], &state)
  #expect(state.editor != nil)
  state.editor = FieldEditor(text: "")
  let effects = press(type("3e-4") + [.enter], &state)
  #expect(effects == [.send(.setLearningRate(3e-4))])
}

@Test func spaceOnAGroupSendsAFreezeAndTheAnswerMarksTheCharts() {
  var state = watchingState()
  state.focus = .layers
  state.layerIndex = 1
  #expect(press([.character(" ")], &state) == [.send(.setFrozen(group: "hidden2", frozen: true))])
  _ = reduce(&state, .watch(.sent(id: 1, text: "freeze hidden2")))
  // The follower reports the effect (from events.jsonl) and the answer in the same poll.
  _ = reduce(
    &state, .trainingEvents([.hotEdit(.freeze(group: "hidden2", frozen: true, bySchedule: false), step: 84)]))
  _ = reduce(&state, .watch(.answered([1: .applied(step: 84)])))
  #expect(state.run?.frozen.contains("hidden2") == true)
  #expect(state.run?.hotEdits.last?.step == 84)
  #expect(state.message?.text == "freeze hidden2: applied at step 84")
}

@Test func anEndedWatchedRunIsReadOnly() {
  var state = watchingState()
  _ = reduce(
    &state, .trainingEvents([.statusChanged(.completed), .finished(RunSummary(status: .completed))]))
  #expect(press([.character("s")], &state).isEmpty, "s never starts a run of this process while watching")
  #expect(state.message?.text.contains("the watched run has ended") == true)
  state.focus = .layers
  #expect(press([.character(" ")], &state).isEmpty)
  state.focus = .hyperparameters
  state.formIndex = ConfigKey.all.firstIndex(of: .learningRate)!
  _ = press([.enter], &state)
  #expect(state.editor == nil)
}

@Test func aWatchedRunWithAPendingCommandAt80x24And160x48() {
  for (width, height) in [(80, 24), (160, 48)] {
    var state = watchingState(width: width, height: height)
    _ = press([.character("p")], &state)
    _ = reduce(&state, .watch(.sent(id: 3, text: "pause")))
    expectGolden(screen(state), "watch-pending-\(width)x\(height)")
  }
}
