import Foundation
import Testing

@testable import Dashboard
@testable import Training

private let searchDirectory = "runs/20261129-101500-search-tpe"

/// A trial whose validation loss falls at `speed` towards `floor` for `epochs` epochs.
private func trial(
  _ number: Int, lr: Double, dropout: Double, batch: Int, frozen: String, status: RunStatus, epochs: Int,
  speed: Double, floor: Double
) -> SearchTrial {
  let losses = (1...max(1, epochs)).map { floor + (1.6 - floor) * exp(-speed * Double($0)) }
  var trial = SearchTrial(
    number: number, assignment: [],
    parameters: [
      SearchParameter(key: "learning_rate", value: String(lr)),
      SearchParameter(key: "weight_decay", value: "0.001"),
      SearchParameter(key: "dropout", value: String(dropout)),
      SearchParameter(key: "batch_size", value: String(batch)),
      SearchParameter(key: "frozen", value: frozen),
    ], status: status)
  trial.validationLosses = epochs == 0 ? [] : losses
  trial.validationAccuracies = trial.validationLosses.map { 1 - $0 / 2 }
  trial.directory =
    "\(searchDirectory)/20261129-1015\(String(format: "%02d", number))-t\(String(format: "%02d", number))"
  if status != .running {
    trial.summary = RunSummary(
      status: status, epochsRun: epochs, bestEpoch: epochs, bestValidationLoss: losses.min()!,
      bestValidationAccuracy: 1 - losses.min()! / 2, search: searchDirectory, trial: number)
  }
  if status == .pruned { trial.reason = "pruned by ASHA at epoch \(epochs)" }
  return trial
}

/// Eight trials of a 12-epoch search: four pruned at rungs 2 and 6, three done, one running.
private func scriptedSnapshot(finished: Bool = false) -> SearchSnapshot {
  let trials = [
    trial(
      1, lr: 0.0031, dropout: 0.12, batch: 16, frozen: "[]", status: .completed, epochs: 12, speed: 0.5,
      floor: 0.42),
    trial(
      2, lr: 0.071, dropout: 0.31, batch: 32, frozen: "[hidden1]", status: .pruned, epochs: 2, speed: 0.1,
      floor: 1.2),
    trial(
      3, lr: 0.00021, dropout: 0.05, batch: 8, frozen: "[]", status: .pruned, epochs: 2, speed: 0.15,
      floor: 0.9),
    trial(
      4, lr: 0.0094, dropout: 0.22, batch: 16, frozen: "[hidden1, hidden2]", status: .completed, epochs: 12,
      speed: 0.6, floor: 0.36),
    trial(
      5, lr: 0.0012, dropout: 0.40, batch: 8, frozen: "[hidden1]", status: .pruned, epochs: 6, speed: 0.3,
      floor: 0.7),
    trial(
      6, lr: 0.025, dropout: 0.18, batch: 32, frozen: "[]", status: .pruned, epochs: 2, speed: 0.2, floor: 1.0
    ),
    trial(
      7, lr: 0.0052, dropout: 0.09, batch: 16, frozen: "[hidden1]", status: .earlyStopped, epochs: 9,
      speed: 0.55, floor: 0.45),
    trial(
      8, lr: 0.0068, dropout: 0.15, batch: 16, frozen: "[]", status: finished ? .stopped : .running,
      epochs: 4, speed: 0.6, floor: 0.4),
  ]
  return SearchSnapshot(
    id: "20261129-101500-search-tpe", directory: searchDirectory, plannedTrials: 20, trials: trials,
    isFinished: finished, stopRequested: finished)
}

private func searchState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = idleState(width: width, height: height)
  state.settings.epochs = 12
  _ = press([.character("S")], &state)
  _ = press([.character("s")], &state)
  let snapshot = scriptedSnapshot()
  var first = snapshot
  first.trials = []
  _ = reduce(&state, .search(.started(first, base: state.settings)))
  _ = reduce(&state, .search(.snapshot(snapshot)))
  return state
}

@Test func sOpensTheSearchViewAndStartsASearchOfTheChosenTrialCount() {
  var state = idleState()
  state.settings.epochs = 6
  #expect(press([.character("S")], &state).isEmpty)
  #expect(state.screen == .search)
  _ = press([.character("+"), .character("+"), .character("-"), .character("-"), .character("-")], &state)
  #expect(state.search.plannedTrials == SearchView.defaultTrials - 5)
  let effects = press([.character("s")], &state)
  #expect(effects == [.startSearch(state.settings, trials: 15)])
  #expect(state.search.phase == .starting)
  // The trial count is fixed once it runs.
  _ = press([.character("+")], &state)
  #expect(state.search.plannedTrials == 15)
}

@Test func theTrialCountStepsByOnesBelowTenAndFivesAbove() {
  var state = idleState()
  _ = press([.character("S")], &state)
  _ = press(Array(repeating: .character("-"), count: 2), &state)
  #expect(state.search.plannedTrials == 10)
  _ = press([.character("-")], &state)
  #expect(state.search.plannedTrials == 9)
  _ = press(Array(repeating: .character("-"), count: 20), &state)
  #expect(state.search.plannedTrials == 1)
  _ = press(Array(repeating: .character("+"), count: 10), &state)
  #expect(state.search.plannedTrials == 15)
}

@Test func aSnapshotFillsTheTableAndTheBestTrialIsKnown() {
  let state = searchState()
  #expect(state.search.phase == .running)
  #expect(state.runState == .searching, "the status bar says the search runs, not IDLE")
  #expect(state.search.rows.map(\.number) == [1, 2, 3, 4, 5, 6, 7, 8])
  #expect(state.search.snapshot?.bestTrial == 4)
  #expect(state.search.selectedTrial == 1)
}

@Test func theTableSortsByValidationLossStatusAndLearningRateAndFlips() {
  var state = searchState()
  _ = press([.character(">")], &state)
  #expect(state.search.sortColumn == .valLoss)
  #expect(state.search.rows.first?.number == 4)
  #expect(state.search.rows.last?.number == 2)
  #expect(state.search.selectedTrial == 1, "the cursor stays on its trial while the order changes")
  _ = press([.character("I")], &state)
  #expect(state.search.rows.first?.number == 2)
  _ = press([.character(">"), .character(">"), .character(">")], &state)
  #expect(state.search.sortColumn == .learningRate)
  #expect(state.search.rows.first?.number == 3)
  _ = press([.character("<"), .character("<")], &state)
  #expect(state.search.sortColumn == .status)
  #expect(state.search.rows.prefix(3).map(\.number) == [1, 4, 7], "done trials first")
}

@Test func sStopsTheSearchOnceAndFinishedTrialsStay() {
  var state = searchState()
  let effects = press([.character("s")], &state)
  #expect(effects == [.stopSearch])
  #expect(press([.character("s")], &state).isEmpty, "a second s does not stop twice")
  _ = reduce(&state, .search(.snapshot(scriptedSnapshot(finished: true))))
  #expect(state.search.phase == .finished)
  #expect(state.runState == .idle)
  #expect(state.search.trials.count == 8)
  #expect(state.search.trials.last?.status == .stopped)
  #expect(state.message?.text.contains("best trial 4") == true)
}

@Test func aCopiesTheSelectedTrialsSettingsOntoTheBase() {
  var state = searchState()
  _ = press([.down, .down, .down], &state)
  #expect(state.search.selectedTrial == 4)
  let effects = press([.character("a")], &state)
  #expect(state.settings.learningRate == 0.0094)
  #expect(state.settings.dropout == 0.22)
  #expect(state.settings.frozen == ["hidden1", "hidden2"])
  #expect(state.settings.epochs == 12, "keys the search did not sample keep the search's base")
  #expect(effects.isEmpty)
  #expect(state.message?.text.hasPrefix("trial 4 is in the form") == true)
}

@Test func enterShowsTheTrialInTheRunsTable() {
  var state = searchState()
  _ = press([.down], &state)
  let effects = press([.enter], &state)
  #expect(effects == [.loadRuns])
  #expect(state.screen == .runs)
  let trialPath = "\(searchDirectory)/20261129-101502-t02"
  let records = ["runs/20261128-090000-old", trialPath, "runs/20261129-120000-new"].map {
    RunRecord(name: $0, path: $0, started: nil, summary: nil, settings: nil, isLive: false)
  }
  _ = reduce(&state, .runsLoaded(records))
  #expect(state.runs.selected?.path == trialPath)
  #expect(state.search.reveal == nil)
  // Esc returns to the search it came from; the runs table opened with 6 goes back to main.
  _ = press([.escape], &state)
  #expect(state.screen == .search)
  _ = press([.escape, .character("6")], &state)
  #expect(state.screen == .runs)
  _ = press([.escape], &state)
  #expect(state.screen == .main)
}

@Test func aSearchIsRefusedDuringARunAndQuitAsksWhileASearchRuns() {
  var running = midRunState(width: 80, height: 24)
  _ = press([.character("S")], &running)
  #expect(press([.character("s")], &running).isEmpty)
  #expect(running.message?.text.contains("a run is active") == true)

  var searching = searchState()
  #expect(press([.character("q")], &searching).isEmpty)
  #expect(searching.overlay == .confirmQuit)
  #expect(screen(searching).text.contains("A search is still running."))
}

@Test func searchViewGolden80x24() {
  expectGolden(screen(searchState()), "search-80x24")
}

@Test func searchViewGolden200x60() {
  var state = searchState(width: 200, height: 60)
  _ = press([.character(">")], &state)
  expectGolden(screen(state), "search-sorted-200x60")
}

@Test func searchViewBeforeAnySearchSaysWhatSWillDo() {
  var state = idleState()
  _ = press([.character("S")], &state)
  let text = screen(state).text
  #expect(text.contains("s searches 20 trials"))
  #expect(text.contains("no search yet"))
}

@Test func theHelpListsTheSearchAndRangeTestKeys() {
  let main = HelpOverlay.lines(for: .main)
  #expect(main.contains { $0.keys == "L" })
  #expect(main.contains { $0.keys == "a" && $0.text == "use the suggested rate" })
  let search = HelpOverlay.lines(for: .search)
  #expect(search.contains { $0.keys == "s" && $0.text.contains("search") })
  #expect(search.contains { $0.keys == "a" && $0.text == "copy settings to the form" })
}

@Test func aRunCannotStartWhileASearchRuns() {
  var state = searchState()
  _ = press([.escape], &state)
  #expect(state.screen == .main)
  #expect(press([.character("s")], &state).isEmpty)
  #expect(state.run == nil)
  #expect(state.message?.text.hasPrefix("a search is running") == true)
  #expect(press([.character("L")], &state).isEmpty)
  #expect(state.lrFinder == nil)
}

@Test func theSearchViewAndTheRangeTestPlotFitEverySize() {
  for width in stride(from: 80, through: 220, by: 7) {
    for height in stride(from: 24, through: 70, by: 5) {
      var state = searchState(width: width, height: height)
      _ = press([.end], &state)
      #expect(state.search.selectedTrial == 8)
      let text = screen(state).text
      #expect(text.contains("val loss × lr"), "\(width)×\(height)")
      #expect(text.contains("best #4"), "\(width)×\(height)")
      var main = idleState(width: width, height: height)
      _ = press([.character("L")], &main)
      _ = reduce(&main, .lrFinder(.progress([LRRangePoint(learningRate: 1e-7, loss: 2, smoothedLoss: 2)])))
      #expect(screen(main).text.contains("lr 1e-7"), "\(width)×\(height)")
    }
  }
}
