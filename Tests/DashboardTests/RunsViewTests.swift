import Foundation
import Testing

@testable import Dashboard
@testable import Training

// MARK: - Scripted runs

private func settings(_ change: (inout HyperParameters) -> Void) -> HyperParameters {
  var settings = HyperParameters()
  settings.epochs = 12
  change(&settings)
  return settings
}

/// A run that learns at `speed` and starts overfitting after `turn` epochs.
private func curve(epochs: Int, speed: Double, turn: Int, floor: Double, stepsPerEpoch: Int = 7)
  -> [EpochMetrics]
{
  (0...epochs).map { epoch in
    let e = Double(epoch)
    let validation = floor + (1.2 - floor) * exp(-speed * e) + 0.03 * Double(max(0, epoch - turn))
    return EpochMetrics(
      epoch: epoch, step: epoch * stepsPerEpoch, trainLoss: 1.3 * exp(-speed * 1.3 * e) + 0.02,
      trainAccuracy: min(1, 0.6 + 0.035 * e), validationLoss: validation,
      validationAccuracy: min(0.95, 0.62 + 0.3 * (1 - exp(-speed * e)) - 0.01 * Double(max(0, epoch - turn))),
      learningRate: 1e-3, seconds: e * 0.4, isBest: epoch <= turn)
  }
}

private let runA = "runs/20261101-093000-lr3e-3"
private let runB = "runs/20261101-101500-do0"
private let runC = "runs/20261102-081200-fork-e4_lr1e-4"

private func scriptedCurves() -> [RunCurve] {
  [
    RunCurve(
      name: "20261101-093000-lr3e-3", path: runA, settings: settings { $0.learningRate = 3e-3 },
      epochs: curve(epochs: 12, speed: 0.6, turn: 4, floor: 0.35)),
    RunCurve(
      name: "20261101-101500-do0", path: runB, settings: settings { $0.dropout = 0 },
      epochs: curve(epochs: 12, speed: 0.3, turn: 8, floor: 0.45)),
    RunCurve(
      name: "20261102-081200-fork-e4_lr1e-4", path: runC,
      settings: settings {
        $0.learningRate = 1e-4
        $0.baseModel = runA + "/checkpoints/epoch-0004.safetensors"
      },
      parent: RunParent(run: "20261101-093000-lr3e-3", epoch: 4, step: 28),
      epochs: curve(epochs: 6, speed: 0.2, turn: 6, floor: 0.30).map {
        var row = $0
        row.validationLoss = 0.42 - 0.012 * Double($0.epoch)
        return row
      }),
  ]
}

private func record(
  _ curve: RunCurve, status: RunStatus, live: Bool = false, wall: Double = 30
) -> RunRecord {
  let best = curve.epochs.min { $0.validationLoss < $1.validationLoss }!
  return RunRecord(
    name: curve.name, path: curve.path, started: RunCatalog.startDate(of: curve.name),
    summary: RunSummary(
      status: status, epochsRun: curve.epochs.last!.epoch, bestEpoch: best.epoch,
      bestValidationLoss: best.validationLoss, bestValidationAccuracy: best.validationAccuracy,
      wallSeconds: wall, parent: curve.parent),
    settings: curve.settings, isLive: live)
}

private func scriptedRecords() -> [RunRecord] {
  let curves = scriptedCurves()
  return [
    record(curves[0], status: .completed, wall: 42),
    record(curves[1], status: .stopped, wall: 65),
    record(curves[2], status: .running, live: true, wall: 12),
    RunRecord(
      name: "20261031-120000-killed", path: "runs/20261031-120000-killed",
      started: RunCatalog.startDate(of: "20261031-120000-killed"),
      summary: killedSummary(),
      settings: HyperParameters(), isLive: false),
  ]
}

/// A run another trainer (a PyTorch loop) left behind when it was killed.
private func killedSummary() -> RunSummary {
  var summary = RunSummary(
    status: .running, epochsRun: 2, bestEpoch: 2, bestValidationLoss: 0.9, wallSeconds: 3)
  summary.source = "pytorch"
  return summary
}

private func runsState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = idleState(width: width, height: height)
  _ = press([.character("6")], &state)
  _ = reduce(&state, .runsLoaded(scriptedRecords()))
  return state
}

private func compareState(width: Int, height: Int) -> DashboardState {
  var state = runsState(width: width, height: height)
  // Newest first: C, B, A, killed. Mark A, B, C in that order so the legend reads A, B, C.
  _ = press([.down, .down, .character(" ")], &state)
  _ = press([.up, .up, .character(" ")], &state)
  _ = press([.up, .up, .character(" ")], &state)
  #expect(state.runs.marked == [runA, runB, runC])
  let effects = press([.character("c")], &state)
  #expect(effects == [.loadCurves([runA, runB, runC])])
  _ = reduce(&state, .curvesLoaded(scriptedCurves()))
  return state
}

// MARK: - Screens

@Test func runsScreenListsEveryRunWithALiveOneAndAKilledOne() {
  var buffer = ScreenBuffer(width: 80, height: 24)
  let state = runsState()
  render(state, into: &buffer)
  expectGolden(buffer, "runs-80x24")
  #expect(buffer.text.contains("● live"))
  #expect(buffer.text.contains("killed"))
  var wide = ScreenBuffer(width: 200, height: 60)
  render(runsState(width: 200, height: 60), into: &wide)
  expectGolden(wide, "runs-200x60")
  #expect(wide.text.contains("learning_rate=0.0001"))
  let killed = (0..<60).map { wide.line($0) }.first { $0.contains("killed") } ?? ""
  #expect(wide.line(1).contains("source") && killed.contains("pytorch"), "the source column at 200 columns")
  #expect(!buffer.text.contains("source"), "no source column at 80 columns")
}

@Test func slashFiltersTheRunsAsYouTypeAndEscClearsBeforeLeaving() {
  var state = runsState()
  let names = { (state: DashboardState) in state.runs.records.map { String($0.name.dropFirst(16)) } }
  #expect(names(state).count == 4)
  // Typing narrows the table at every key; the filter matches status as well as name.
  _ = press([.character("/")] + type("kill"), &state)
  #expect(state.editingRunsFilter)
  #expect(names(state) == ["killed"])
  var buffer = ScreenBuffer(width: 80, height: 24)
  render(state, into: &buffer)
  expectGolden(buffer, "runs-filter-typing-80x24")
  #expect(buffer.text.contains("1/4 runs · /kill"))
  // Words must all match, in any field: a changed setting and a name part.
  _ = press(
    [.backspace, .backspace, .backspace, .backspace] + type("EPOCHS=12 Dropout=0") + [.enter], &state)
  #expect(!state.editingRunsFilter && state.editor == nil)
  #expect(names(state) == ["do0"])
  // Marks survive the filter; a listing that arrives meanwhile is filtered too.
  _ = press([.character(" ")], &state)
  _ = reduce(&state, .runsLoaded(scriptedRecords()))
  #expect(names(state) == ["do0"] && state.runs.marked.count == 1)
  // Nothing matches: the table says so and how to get back.
  _ = press([.character("/")] + type("zzz") + [.enter], &state)
  #expect(state.runs.records.isEmpty && state.runs.selected == nil)
  render(state, into: &buffer)
  #expect(buffer.text.contains("no run matches \"zzz\""))
  // Esc clears the filter first, then leaves the view.
  _ = press([.escape], &state)
  #expect(state.screen == .runs && names(state).count == 4 && state.runs.filter.isEmpty)
  _ = press([.escape], &state)
  #expect(state.screen == .main)
}

@Test func escWhileTypingAFilterListsEveryRunAgain() {
  var state = runsState()
  _ = press([.character("/")] + type("do0"), &state)
  #expect(state.runs.records.count == 1)
  _ = press([.escape], &state)
  #expect(state.runs.records.count == 4 && state.screen == .runs && state.editor == nil)
}

@Test func compareViewOfThreeScriptedRuns() {
  var buffer = ScreenBuffer(width: 80, height: 24)
  let state = compareState(width: 80, height: 24)
  render(state, into: &buffer)
  expectGolden(buffer, "compare-three-runs-80x24")
  // Only the keys that differ between the runs are in the legend; epochs=12 is shared.
  #expect(buffer.text.contains("learning_rate=0.003"))
  #expect(buffer.text.contains("dropout=0 "))
  #expect(!buffer.text.contains("epochs=12"))
  #expect(!buffer.text.contains("base_model"))
  #expect(buffer.text.contains("↳ lr3e-3@4"))

  var wide = ScreenBuffer(width: 200, height: 60)
  var accuracyBySteps = compareState(width: 200, height: 60)
  _ = press([.character("v"), .character("x")], &accuracyBySteps)
  render(accuracyBySteps, into: &wide)
  expectGolden(wide, "compare-three-runs-accuracy-steps-200x60")
  #expect(wide.text.contains("val accuracy by step"))
}

@Test func helpOnTheRunsScreenListsItsKeys() {
  var state = runsState()
  _ = press([.character("?")], &state)
  var buffer = ScreenBuffer(width: 80, height: 24)
  render(state, into: &buffer)
  #expect(buffer.text.contains("compare the marked runs"))
  #expect(!buffer.text.contains("freeze / unfreeze"))
}

@Test func checkpointsScreenMarksTheBestAndAsksBeforeDeleting() {
  var state = runsState()
  let effects = press([.enter], &state)
  #expect(effects == [.loadCheckpoints(runC)])
  let entries =
    [0, 2, 5].map {
      CheckpointEntry(
        kind: .history, epoch: $0, path: runC + String(format: "/checkpoints/epoch-%04d.safetensors", $0),
        validationLoss: 0.9 - 0.1 * Double($0), validationAccuracy: 0.6 + 0.05 * Double($0), isBest: $0 == 5)
    } + [CheckpointEntry(kind: .last, epoch: 6, path: runC + "/last.safetensors", validationLoss: 0.45)]
  _ = reduce(&state, .checkpointsLoaded(run: runC, entries))
  var buffer = ScreenBuffer(width: 80, height: 24)
  render(state, into: &buffer)
  expectGolden(buffer, "checkpoints-80x24")
  #expect(press([.character("P")], &state) == [.promoteCheckpoint(run: runC, entries[0])])
  #expect(press([.character("d")], &state).isEmpty)
  #expect(state.overlay == .confirmDelete)
  render(state, into: &buffer)
  #expect(buffer.text.contains("Delete 2 kept checkpoints"))
  #expect(press([.character("n")], &state).isEmpty)
  #expect(state.overlay == nil)
  _ = press([.character("d")], &state)
  #expect(press([.character("y")], &state) == [.deleteCheckpoints(run: runC)])
  _ = press([.escape], &state)
  #expect(state.screen == .runs)
}

// MARK: - Reducer

@Test func runsScreenOpensWithAListingAndGoesBack() {
  var state = idleState()
  #expect(press([.character("6")], &state) == [.loadRuns])
  #expect(state.screen == .runs)
  _ = press([.escape], &state)
  #expect(state.screen == .main)
  _ = press([.character("6"), .character("3")], &state)
  #expect(state.screen == .main)
  #expect(state.focus == .accuracy)
}

@Test func markingStopsAtSixAndSpaceUnmarks() {
  var state = idleState()
  _ = press([.character("6")], &state)
  let records = (0..<8).map { index in
    RunRecord(
      name: "2026110\(index)-000000-r\(index)", path: "runs/r\(index)", started: nil, summary: nil,
      settings: nil,
      isLive: false)
  }
  _ = reduce(&state, .runsLoaded(records))
  _ = press(Array(repeating: .character(" "), count: 7), &state)
  #expect(state.runs.marked.count == 6)
  #expect(state.message?.kind == .warning)
  _ = press([.up, .character(" ")], &state)
  #expect(state.runs.marked.count == 5)
  #expect(!state.runs.marked.contains(state.runs.records[5].path))
  // A run that disappears from disk is unmarked.
  let gone = state.runs.records[0].path
  #expect(state.runs.marked.contains(gone))
  _ = reduce(&state, .runsLoaded(records.filter { $0.path != gone }))
  #expect(state.runs.marked.count == 4)
  _ = press([.character("u")], &state)
  #expect(state.runs.marked.isEmpty)
  #expect(press([.character("c")], &state).isEmpty)
  #expect(state.screen == .runs)
}

@Test func sortCyclesColumnsFlipsOrderAndKeepsTheCursorOnItsRun() {
  var state = runsState()
  #expect(state.runs.sortColumn == .started)
  #expect(state.runs.records.map(\.path).first == runC)
  _ = press([.down], &state)
  let selected = state.runs.selected?.path
  // started → status → epochs → val_loss
  _ = press([.character(">"), .character(">"), .character(">")], &state)
  #expect(state.runs.sortColumn == .valLoss)
  let losses = state.runs.records.map { $0.summary!.bestValidationLoss }
  #expect(losses == losses.sorted())
  #expect(state.runs.selected?.path == selected)
  _ = press([.character("I")], &state)
  #expect(state.runs.records.map { $0.summary!.bestValidationLoss } == losses.sorted(by: >))
  #expect(state.runs.selected?.path == selected)
  _ = press([.character("<"), .character("<"), .character("<"), .character("<")], &state)
  #expect(state.runs.sortColumn == .name)
  #expect(!state.runs.reversed)
  #expect(state.runs.records.map(\.name) == state.runs.records.map(\.name).sorted())
}

@Test func compareTogglesMetricAndAxisAndAForkStartsAtItsParentsEpoch() {
  var state = compareState(width: 80, height: 24)
  #expect(state.screen == .compare)
  _ = press([.character("v")], &state)
  #expect(state.runs.metric == .validationAccuracy)
  _ = press([.character("v"), .character("v")], &state)
  #expect(state.runs.metric == .validationLoss)
  _ = press([.character("x")], &state)
  #expect(state.runs.axis == .step)
  let fork = state.runs.curves[2]
  #expect(fork.points(.validationLoss, axis: .epoch).first?.x == 4)
  #expect(fork.points(.validationLoss, axis: .step).first?.x == 28)
  #expect(fork.points(.trainLoss, axis: .epoch).first?.x == 5)
  #expect(RunsView.differingKeys(state.runs.curves) == [.learningRate, .dropout])
  _ = press([.escape], &state)
  #expect(state.screen == .runs)
}

@Test func resumeOnlyContinuesStoppedOrKilledRuns() {
  var state = runsState()
  // The live fork and a completed run refuse; the stopped run resumes.
  #expect(press([.character("r")], &state).isEmpty)
  #expect(state.message?.kind == .warning)
  _ = press([.down], &state)
  // Not while a search holds the cores.
  var searching = state
  searching.search.phase = .running
  #expect(press([.character("r")], &searching).isEmpty)
  #expect(searching.message?.text.contains("a search is running") == true)
  #expect(press([.character("r")], &state) == [.resumeRun(runB)])
  #expect(state.screen == .main)
  #expect(state.isRunActive)
  _ = reduce(&state, .runResumed(settings { $0.dropout = 0 }, epochs: scriptedCurves()[1].epochs))
  #expect(state.run?.epochs.count == 13)
  #expect(state.settings.dropout == 0)
}

@Test func forkFillsTheFormAndTheNextStartRecordsTheParent() {
  var state = runsState()
  _ = press([.down, .down], &state)
  #expect(press([.character("f")], &state) == [.planFork(runA)])
  var forked = settings { $0.learningRate = 3e-3 }
  forked.baseModel = runA + "/checkpoints/epoch-0004.safetensors"
  let parent = RunParent(run: "20261101-093000-lr3e-3", epoch: 4, step: 28)
  let effects = reduce(&state, .forkPlanned(forked, parent: parent))
  #expect(effects == [.prepareModel(forked)])
  #expect(state.screen == .main && state.focus == .hyperparameters)
  #expect(state.effectiveRunName == "fork-e4_lr3e-3_ep12")
  let start = press([.character("s")], &state)
  #expect(start == [.startRun(forked, name: "fork-e4_lr3e-3_ep12", parent: parent)])
}

@Test func runNameFieldNamesTheNextRunAndEmptyMeansAutomatic() throws {
  var state = idleState()
  _ = press([.character("n")] + type("baseline v2") + [.enter], &state)
  #expect(state.runName == "baseline v2")
  #expect(!state.editingRunName && state.editor == nil)
  var buffer = ScreenBuffer(width: 80, height: 24)
  render(state, into: &buffer)
  #expect(buffer.text.contains("n name baseline v2"))
  // Editing it again starts with the old name selected: typing replaces it, drawn reversed meanwhile.
  _ = press([.character("n")], &state)
  render(state, into: &buffer)
  let nameRow = try #require((0..<24).first { buffer.line($0).contains("n name baseline v2") })
  let line = buffer.line(nameRow)
  let nameColumn = line.distance(
    from: line.startIndex, to: try #require(line.firstRange(of: "baseline")).lowerBound)
  #expect((nameColumn..<nameColumn + 11).allSatisfy { buffer[$0, nameRow].style.reverse })
  _ = press(type("wide") + [.enter], &state)
  #expect(state.runName == "wide")
  _ = press([.character("n")] + type("wide") + [.enter], &state)
  #expect(press([.character("s")], &state) == [.startRun(state.settings, name: "wide", parent: nil)])
  #expect(state.runName.isEmpty)

  var cancelled = idleState()
  _ = press([.character("n")] + type("x") + [.escape], &cancelled)
  #expect(cancelled.runName.isEmpty)
  #expect(press([.character("s")], &cancelled) == [.startRun(cancelled.settings)])
}

@Test func exportWritesTheMarkedRunsOrTheSelectedOne() {
  var state = runsState()
  #expect(
    press([.character("e")], &state) == [
      .exportRuns([runC], path: "tunetop-export-20261102-081200-fork-e4_lr1e-4.csv")
    ])
  _ = press([.character(" "), .character(" ")], &state)
  #expect(press([.character("e")], &state) == [.exportRuns([runC, runB], path: "tunetop-export-2-runs.csv")])
}

@Test func aRunWrittenOnAnotherMachineSaysWhereInItsDetails() {
  let elsewhere = RunWriter(pid: 4242, started: 1, host: RunWriter.current.host + "-gpu7")
  let record = RunRecord(
    name: "20261101-093000-wide", path: "runs/20261101-093000-wide", started: nil,
    summary: RunSummary(status: .running, writer: elsewhere), settings: HyperParameters(), isLive: true)
  #expect(RunsScreen.details(record).contains("written on \(elsewhere.host) (pid 4242)"))
  var local = record
  local.summary?.writer = .current
  #expect(!RunsScreen.details(local).contains("written on"))
}
