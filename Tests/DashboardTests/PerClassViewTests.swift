import Testing

@testable import Dashboard
@testable import Training

/// A 10-class confusion matrix for `epoch` of the scripted run: 20 samples a class, every class
/// learned a little more each epoch up to 1–3 mistakes, except class 3, which peaks at epoch 6 and then slips into
/// being taken for 8 (so its row and the 8 column darken) while class 8 keeps improving.
func scriptedConfusion(epoch: Int) -> ConfusionMatrix {
  let support = 20
  let rows = (0..<10).map { truth -> [Int] in
    var correct = min(support - 1 - truth % 3, 8 + epoch + truth % 3)
    if truth == 3 { correct = min(support, 8 + 2 * min(epoch, 6)) - 3 * max(0, epoch - 6) }
    var row = [Int](repeating: 0, count: 10)
    row[truth] = max(0, correct)
    let wrong = support - row[truth]
    // Mistakes go to the next class, and class 3's to 8.
    row[truth == 3 ? 8 : (truth + 1) % 10] += wrong
    return row
  }
  return ConfusionMatrix(rows: rows)
}

/// The scripted overfitting run of the fixtures with per-class metrics on every epoch.
func perClassEvents(epochs: Int = 12, monitor: MonitoredMetric = .validationLoss) -> [TrainingEvent] {
  scriptedEvents(epochs: epochs).map { event in
    switch event {
    case .started(var start):
      start.hyperParameters.monitor = monitor
      start.classLabels = .numbered(10)
      return .started(start)
    case .epoch(var metrics):
      metrics.classes = ClassMetrics(confusion: scriptedConfusion(epoch: metrics.epoch))
      return .epoch(metrics)
    default:
      return event
    }
  }
}

func perClassState(width: Int, height: Int, epochs: Int = 12) -> DashboardState {
  var state = idleState(width: width, height: height)
  state.run = RunHistory()
  _ = reduce(&state, .trainingEvents(perClassEvents(epochs: epochs)))
  _ = press([.character("3"), .character("c")], &state)
  return state
}

@Test func cOnTheAccuracyPanelFlipsToThePerClassViewAndBack() {
  var state = idleState()
  #expect(KeyMap.action(for: .character("c"), in: state) == nil, "c means nothing on the form")
  _ = press([.character("3"), .character("c")], &state)
  #expect(state.perClassView)
  #expect(screen(state).line(8).contains("per class"))
  _ = press([.character("c")], &state)
  #expect(!state.perClassView)
  // The help lists the key under the Accuracy panel.
  state.overlay = .help
  #expect((0..<24).map { screen(state).line($0) }.joined().contains("Accuracy (3)"))
}

@Test func historyKeepsEveryEpochsClassAccuracyButOnlyTheLatestMatrix() throws {
  var state = idleState()
  state.run = RunHistory()
  _ = reduce(&state, .trainingEvents(perClassEvents(epochs: 12)))
  let run = try #require(state.run)
  let classes = try #require(run.classes)
  #expect(run.epochs.allSatisfy { $0.classes == nil }, "epochs are kept small")
  #expect(classes.epochs == Array(0...12))
  #expect(classes.latest.confusion == scriptedConfusion(epoch: 12))
  #expect(
    classes.accuracy[3].map { Double($0) }
      == (0...12).map { ClassMetrics(confusion: scriptedConfusion(epoch: $0)).recall[3] }.map {
        Double(Float($0))
      })
  // Class 3 fell from 20/20 at epoch 6 to 2/20: slipping; class 8 kept improving: not.
  #expect(classes.isSlipping(3))
  #expect(!classes.isSlipping(8))
  #expect(classes.best[3].epoch == 6)
}

@Test func oneSampleOfASmallClassIsNotASlip() {
  // 20 samples: one wrong is 5 points, within noise; two wrong is a slip.
  let perfect = ClassMetrics(confusion: ConfusionMatrix(rows: [[20, 0], [0, 20]]))
  var history = ClassHistory(names: ["a", "b"], epoch: 0, metrics: perfect)
  history.append(epoch: 1, metrics: ClassMetrics(confusion: ConfusionMatrix(rows: [[19, 1], [0, 20]])))
  #expect(!history.isSlipping(0))
  history.append(epoch: 2, metrics: ClassMetrics(confusion: ConfusionMatrix(rows: [[18, 2], [0, 20]])))
  #expect(history.isSlipping(0))
}

@Test func bestEpochFollowsTheRunsMonitor() throws {
  var state = idleState()
  state.run = RunHistory()
  _ = reduce(&state, .trainingEvents(perClassEvents(epochs: 12, monitor: .validationMacroF1)))
  let f1 = (0...12).map { ClassMetrics(confusion: scriptedConfusion(epoch: $0)).macroF1 }
  let best = f1.indices.first { f1[$0] == f1.max() }!
  #expect(state.run?.bestEpoch?.epoch == best)
  // By validation loss the scripted run is best at epoch 6; macro-F1 peaks elsewhere.
  #expect(best != 6)
  state.run = RunHistory()
  _ = reduce(&state, .trainingEvents(perClassEvents(epochs: 12)))
  #expect(state.run?.bestEpoch?.epoch == 6)
}

@Test func perClassViewGolden80x24() {
  let state = perClassState(width: 80, height: 24)
  let buffer = screen(state)
  expectGolden(buffer, "per-class-80x24")
  // Every class has its row, with its matrix row, inside the 80×24 screen.
  for name in 0..<10 { #expect((9..<21).map { buffer.line($0) }.contains { $0.contains("┃\(name) ") }) }
}

@Test func perClassViewGolden160x48() {
  let state = perClassState(width: 160, height: 48)
  expectGolden(screen(state), "per-class-160x48")
}

@Test func perClassViewBeforeAnyRunSaysWhatWillAppear() {
  var state = idleState()
  _ = press([.character("3"), .character("c")], &state)
  let text = (8..<22).map { screen(state).line($0) }.joined()
  #expect(text.contains("press s to start") && text.contains("confusion"))
}

@Test func confusionCellsShadeByShareOfTheRow() {
  var buffer = ScreenBuffer(width: 12, height: 2)
  ConfusionCells(counts: [0, 1, 4, 15], diagonal: 3, cellWidth: 2).draw(into: &buffer, x: 0, y: 0)
  #expect(buffer.line(0).hasPrefix("· ░ ▒ █ "))
  ConfusionCells(counts: [3, 0], diagonal: 0, cellWidth: 5).draw(into: &buffer, x: 0, y: 1)
  #expect(buffer.line(1).hasPrefix(" █  3    ·"))
}

@Test func moreClassesThanRowsAreCountedAndTheMatrixGivesWayToTheCurves() throws {
  var state = idleState()
  state.run = RunHistory()
  let classes = 26
  let names = (0..<classes).map { "letter_\(Character(UnicodeScalar(UInt8(97 + $0))))" }
  var start = try #require(
    scriptedEvents(epochs: 1).compactMap { event -> RunStart? in
      if case .started(let start) = event { return start }
      return nil
    }.first)
  start.classLabels = ClassLabels(names: names)
  let confusion = ConfusionMatrix(
    rows: (0..<classes).map { truth in
      (0..<classes).map { $0 == truth ? 5 : ($0 == (truth + 1) % classes ? 1 : 0) }
    })
  let epoch = EpochMetrics(
    epoch: 0, step: 0, trainLoss: 1, trainAccuracy: 0.5, validationLoss: 1, validationAccuracy: 0.8,
    learningRate: 0, seconds: 0, isBest: true, classes: ClassMetrics(confusion: confusion))
  _ = reduce(&state, .trainingEvents([.started(start), .epoch(epoch)]))
  _ = press([.character("3"), .character("c")], &state)
  let buffer = screen(state)
  let rows = (9..<21).map { buffer.line($0) }
  // Ten of the 26 fit at 80×24, names cut in the middle to six columns so they stay apart; the
  // footer counts the rest.
  #expect((0..<10).allSatisfy { index in rows[index + 1].contains("┃let…_\(names[index].last!) ") })
  #expect(buffer.line(20).contains("+16 classes"))
  // 26 one-column cells leave no room for a sparkline at this width, so the matrix is left out.
  #expect(!rows.joined().contains("█ ·"))
  // At 160×48 every class has its row and its matrix row.
  state.width = 160
  state.height = 48
  let large = screen(state)
  #expect((0..<48).map { large.line($0) }.filter { $0.contains("┃letter_") }.count == 26)
}

@Test func aResumedRunsEarlierEpochsFillThePerClassView() throws {
  var state = idleState()
  state.run = RunHistory()
  let earlier = perClassEvents(epochs: 4).compactMap { event -> EpochMetrics? in
    if case .epoch(let metrics) = event { return metrics }
    return nil
  }
  _ = reduce(&state, .runResumed(HyperParameters(), epochs: earlier))
  #expect(state.run?.epochs.count == 5)
  #expect(state.run?.epochs.allSatisfy { $0.classes == nil } == true)
  #expect(state.run?.classes?.epochs == [0, 1, 2, 3, 4])
  // The trainer's start names the classes; the next epoch carries on the same series.
  var start = try #require(
    perClassEvents(epochs: 0).compactMap { event -> RunStart? in
      if case .started(let start) = event { return start }
      return nil
    }.first)
  start.classLabels = ClassLabels(names: (0..<10).map { "digit \($0)" })
  var next = earlier[4]
  next.epoch = 5
  next.classes = ClassMetrics(confusion: scriptedConfusion(epoch: 5))
  _ = reduce(&state, .trainingEvents([.started(start), .epoch(next)]))
  #expect(state.run?.classes?.epochs == [0, 1, 2, 3, 4, 5])
  #expect(state.run?.classes?.names.first == "digit 0")
}
