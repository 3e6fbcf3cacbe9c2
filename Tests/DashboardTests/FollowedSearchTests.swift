import Foundation
import Testing

@testable import Dashboard
@testable import Training

private let directory = "runs/20261130-071500-search-ray"

/// Six trials of a Ray search over two raylets on one host: node ids tell them apart.
private func raySnapshot(finished: Bool = false) -> SearchSnapshot {
  let plan: [(lr: Double, status: RunStatus, epochs: Int, floor: Double, node: String)] = [
    (0.0031, .completed, 10, 0.40, "a1b2c3d4e5f6"), (0.071, .pruned, 2, 1.1, "f6e5d4c3b2a1"),
    (0.00021, .pruned, 2, 0.95, "a1b2c3d4e5f6"), (0.0094, .completed, 10, 0.36, "f6e5d4c3b2a1"),
    (0.0012, .running, 5, 0.55, "a1b2c3d4e5f6"), (0.02, .running, 3, 0.7, "f6e5d4c3b2a1"),
  ]
  let trials = plan.enumerated().map { index, entry in
    let number = index + 1
    var trial = SearchTrial(
      number: number, assignment: [],
      parameters: [
        SearchParameter(key: "learning_rate", value: String(entry.lr)),
        SearchParameter(key: "dropout", value: "0.1"),
      ], status: entry.status)
    trial.validationLosses = (1...entry.epochs).map {
      entry.floor + (1.6 - entry.floor) * exp(-0.5 * Double($0))
    }
    trial.directory =
      "\(directory)/20261130-0715\(String(format: "%02d", number))-t\(String(format: "%02d", number))"
    var summary = RunSummary(
      status: entry.status, epochsRun: entry.epochs, bestEpoch: entry.epochs,
      bestValidationLoss: entry.status == .running ? .nan : trial.validationLosses.min()!,
      writer: RunWriter(pid: 100 + Int32(number), started: nil, host: "gpu-box.cluster.local"),
      search: "20261130-071500-search-ray", trial: number)
    summary.node = entry.node
    trial.summary = summary
    if entry.status == .pruned { trial.reason = "Ray Tune's ASHAScheduler stopped it after epoch 2" }
    return trial
  }
  var withKilled = trials
  withKilled[5].writerGone = true
  return SearchSnapshot(
    id: "20261130-071500-search-ray", directory: directory, plannedTrials: 8, trials: withKilled,
    isFinished: finished, stopRequested: false)
}

private func followingState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = idleState(width: width, height: height)
  _ = reduce(
    &state,
    .search(
      .following(
        raySnapshot(),
        origin: SearchOrigin(directory: directory, backend: "ray", sampler: "tpe", pruner: "asha"),
        base: nil)))
  return state
}

@Test func followingASearchShowsItsTrialsWithTheirNodes() {
  let state = followingState()
  #expect(state.screen == .search)
  #expect(state.search.origin?.backend == "ray")
  #expect(!state.search.isRunning)  // not this dashboard's search: s starts one of its own
  let text = screen(state).text
  #expect(text.contains("following · 2 done · 2 pruned · 1 running · 1 killed of 8"))
  #expect(text.contains("node"))
  // Two raylets on one host: the host and the start of each node id.
  #expect(text.contains("gpu-box·a1b2c3"))
  #expect(text.contains("killed"))
}

@Test func followedSearchGolden80x24() {
  expectGolden(screen(followingState()), "search-followed-80x24")
}

@Test func followedSearchGolden200x50() {
  expectGolden(screen(followingState(width: 200, height: 50)), "search-followed-200x50")
}

@Test func aFollowedSearchThatEndsSaysSoAndItsSnapshotsKeepComing() {
  var state = followingState()
  var snapshot = raySnapshot(finished: true)
  snapshot.trials[4].status = .completed
  _ = reduce(&state, .search(.snapshot(snapshot)))
  #expect(state.search.phase == .finished)
  #expect(screen(state).text.contains("ended · 3 done"))
}

/// Hosts alone name the nodes when each node is its own machine; a local search has no node column.
@Test func nodeLabelsUseHostsWhenTheyAreEnough() {
  var trials = raySnapshot().trials
  for index in trials.indices {
    let first = trials[index].summary?.node == "a1b2c3d4e5f6"
    trials[index].summary?.writer?.host = first ? "node-1" : "node-2.lan"
  }
  #expect(SearchScreen.nodeLabels(trials)[1] == "node-1" && SearchScreen.nodeLabels(trials)[2] == "node-2")
  for index in trials.indices {
    trials[index].summary?.node = nil
    trials[index].summary?.writer?.host = "laptop"
  }
  #expect(SearchScreen.nodeLabels(trials).isEmpty)
}

@Test func sWhileFollowingStartsASearchOfThisDashboardsOwn() {
  var state = followingState()
  let effects = press([.character("s")], &state)
  #expect(state.search.origin == nil)
  #expect(effects.contains { if case .startSearch = $0 { true } else { false } })
}

@Test func bigSOnATrialInTheRunsTableFollowsItsSearch() {
  var state = idleState()
  _ = press([.character("6")], &state)
  var summary = RunSummary(status: .running, search: "20261130-071500-search-ray", trial: 3)
  summary.node = "a1b2c3"
  let trial = RunRecord(
    name: "20261130-071500-search-ray/20261130-071503-t03", path: "\(directory)/20261130-071503-t03",
    started: nil, summary: summary, settings: nil, isLive: true)
  let plain = RunRecord(
    name: "20261130-070000-lr3e-3", path: "runs/20261130-070000-lr3e-3", started: nil,
    summary: RunSummary(status: .completed), settings: nil, isLive: false)
  _ = reduce(&state, .runsLoaded([trial, plain]))
  state.runs.selection = state.runs.records.firstIndex { $0.path == trial.path }!
  #expect(press([.character("S")], &state) == [.followSearch(directory)])
  state.runs.selection = state.runs.records.firstIndex { $0.path == plain.path }!
  #expect(press([.character("S")], &state).isEmpty)
  #expect(state.screen == .search)  // a run of no search: S opens the Search screen as everywhere
}
