import Testing

@testable import Dashboard
@testable import Training

/// A dashboard watching a run another process writes, mid-run: the events are what a
/// `RunFollower` would feed it.
private func watchingState(width: Int = 80, height: Int = 24, source: String = "pytorch") -> DashboardState {
  var state = idleState(width: width, height: height)
  var settings = HyperParameters()
  settings.epochs = 40
  settings.earlyStoppingPatience = 3
  let watched = WatchedRun(path: "runs/20260101-000000-test", name: "20260101-000000-test", source: source)
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
  var state = watchingState(source: "tunetop")
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
  #expect(!statusBar(state).keyHints.contains { $0.key == "s" }, "no `s start` is offered for a refused key")
  #expect(statusBar(state).keyHints.contains { $0.key == "q" })
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

/// Another trainer's run watched from its first step: its start knows no step count (`RunFollower`
/// gives the steps done so far, 1), so the x axis must grow with the steps rather than clip them.
@Test func aForeignRunWatchedFromItsStartDrawsItsSteps() {
  var state = idleState(width: 100, height: 30)
  let watched = WatchedRun(
    path: "runs/20260101-000000-torch", name: "20260101-000000-torch", source: "pytorch")
  _ = reduce(&state, .watch(.begin(watched, settings: HyperParameters())))
  let start = RunStart(
    directory: watched.path, hyperParameters: HyperParameters(), stepsPerEpoch: 1, totalSteps: 1,
    groups: ["hidden1", "head"], parameterCounts: ["hidden1": 144, "head": 51], frozen: [], trainSamples: 0,
    validationSamples: 0)
  var events: [TrainingEvent] = [.started(start), .statusChanged(.running)]
  for step in stride(from: 3, through: 300, by: 3) {
    events.append(
      .step(
        StepMetrics(
          step: step, epoch: 1 + step / 200, loss: 1.1 / Double(step).squareRoot(), accuracy: 0.5,
          learningRate: 0.01, gradientNorm: 0.4, gradientNorms: [:], samplesPerSecond: 2000)))
  }
  _ = reduce(&state, .trainingEvents(events))
  let rows = (0..<30).map { screen(state).line($0) }
  let loss = rows.prefix(9).map { String($0.dropFirst(40)) }
  #expect(loss.contains { $0.contains("step 0") && $0.contains("300") }, "\(loss.joined(separator: "\n"))")
  let braille = loss.joined().unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }
  #expect(braille.count > 10, "\(loss.joined(separator: "\n"))")
}

/// Another trainer's run has no tunetop settings: its form holds only the keys it takes live, and
/// its Learning-rate panel draws the rates its steps reported, not a preview of tunetop's schedule.
@Test func anotherTrainersRunShowsOnlyItsLiveKeysAndTheRatesItReported() {
  var state = watchingState(width: 100, height: 30)
  #expect(state.formKeys == [.learningRate, .weightDecay, .dropout])
  state.focus = .hyperparameters
  _ = press([.down, .down, .down, .down], &state)
  #expect(state.focusedKey == .dropout, "the selection stops at the last live key")
  let text = screen(state).text
  #expect(!text.contains("base_model") && !text.contains("schedule"), "\(text)")
  #expect(text.contains("as reported"), "\(text)")
  #expect(!text.contains("cosine"), "no schedule preview of tunetop's defaults: \(text)")
  #expect(state.run?.stepLearningRate.buckets.isEmpty == false)
  let ownRun = watchingState(source: "tunetop")
  #expect(ownRun.formKeys == ConfigKey.all.filter { $0.matters(forModelKind: nil, settings: ownRun.settings) })
  #expect(ownRun.formKeys.contains(.hiddenSizes) && ownRun.formKeys.contains(.maxSeqLen))
  // Its values are its own: no "changed" marks against tunetop's defaults, and read-only once ended.
  state.settings.learningRate = 0.01
  #expect(!screen(state).text.contains("•"))
  _ = reduce(&state, .trainingEvents([.statusChanged(.stopped), .finished(RunSummary(status: .stopped))]))
  #expect(screen(state).line(0).contains("read-only"), "\(screen(state).line(0))")
}
