import Foundation
import Testing

@testable import Dashboard
@testable import Training

/// A scripted range test: flat at first, a valley around 3e-3, then the blow-up that ends it.
private func scriptedResult() -> LRRangeTestResult {
  let test = LRRangeTest()
  let points = (0..<86).map { index -> LRRangePoint in
    let lr = test.learningRate(at: index)
    let x = log10(lr)
    // A plateau, a slope down from lr ≈ 1e-4 to a floor near 3e-2, and a steep wall above it.
    let loss = 1.8 - 0.6 / (1 + exp(-(x + 2.5) * 2.5)) + (x > -1.5 ? pow((x + 1.5) * 2.2, 2) : 0)
    return LRRangePoint(learningRate: lr, loss: loss, smoothedLoss: loss)
  }
  let considered = ValleyRule.consideredRange(recorded: points.count, plannedSteps: test.steps)
  let index = ValleyRule.index(losses: points[considered].map(\.smoothedLoss)).map {
    $0 + considered.lowerBound
  }
  return LRRangeTestResult(
    points: points, suggestedLearningRate: index.map { points[$0].learningRate }, suggestedIndex: index,
    stoppedEarly: true)
}

private func finishedFinderState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = idleState(width: width, height: height)
  _ = press([.character("L")], &state)
  let result = scriptedResult()
  _ = reduce(&state, .lrFinder(.progress(Array(result.points.prefix(40)))))
  _ = reduce(&state, .lrFinder(.finished(result)))
  return state
}

@Test func lKeyStartsTheRangeTestFromTheCurrentSettingsAndChangesNothing() {
  var state = idleState()
  state.settings.frozen = ["hidden1"]
  let before = state.settings
  let effects = press([.character("L")], &state)
  #expect(effects == [.startLRFinder(before)])
  #expect(state.lrFinder?.isRunning == true)
  #expect(state.runState == .lrTest)
  _ = reduce(&state, .lrFinder(.progress(Array(scriptedResult().points.prefix(10)))))
  #expect(state.lrFinder?.points.count == 10)
  _ = reduce(&state, .lrFinder(.finished(scriptedResult())))
  #expect(state.lrFinder?.phase == .finished)
  #expect(state.settings == before, "the test must leave the settings alone until a copies the suggestion")
}

@Test func aCopiesTheSuggestionIntoLearningRate() throws {
  var state = finishedFinderState()
  let suggestion = try #require(state.lrFinder?.suggestion)
  #expect(suggestion == scriptedResult().suggestedLearningRate)
  _ = press([.character("a")], &state)
  let text = try #require(state.lrFinder?.suggestionText)
  #expect(state.settings.learningRate == Double(text))
  #expect(abs(log10(state.settings.learningRate) - log10(suggestion)) < 0.05)
  #expect(state.lrFinder?.applied == true)
  #expect(state.focusedKey == .learningRate)
  #expect(state.message?.text.contains("learning_rate → \(text)") == true)
}

@Test func escOrASecondLClosesThePlotAndCancelsARunningTest() {
  var running = idleState()
  _ = press([.character("L")], &running)
  let effects = press([.escape], &running)
  #expect(effects == [.cancelLRFinder])
  #expect(running.lrFinder == nil)
  // A late report from the cancelled test does not reopen the plot.
  _ = reduce(&running, .lrFinder(.finished(scriptedResult())))
  #expect(running.lrFinder == nil)

  var finished = finishedFinderState()
  #expect(press([.character("L")], &finished).isEmpty)
  #expect(finished.lrFinder == nil)
}

@Test func theRangeTestIsRefusedDuringARunWithTheReason() {
  var state = midRunState(width: 80, height: 24)
  let effects = press([.character("L")], &state)
  #expect(effects.isEmpty)
  #expect(state.lrFinder == nil)
  #expect(state.message?.text.contains("stop the run first") == true)
}

@Test func aWithoutASuggestionSaysWhy() {
  var state = idleState()
  _ = press([.character("L")], &state)
  _ = press([.character("a")], &state)
  #expect(state.message?.text == "the LR range test is still running")
  #expect(state.settings == HyperParameters())
}

@Test func lrFinderPlotGolden80x24() {
  expectGolden(screen(finishedFinderState()), "lr-finder-80x24")
}

@Test func lrFinderPlotGolden160x48() {
  var state = finishedFinderState(width: 160, height: 48)
  _ = press([.character("a")], &state)
  expectGolden(screen(state), "lr-finder-applied-160x48")
}

@Test func lrFinderPlotWhileRunning() {
  var state = idleState(width: 100, height: 30)
  _ = press([.character("L")], &state)
  _ = reduce(&state, .lrFinder(.progress(Array(scriptedResult().points.prefix(30)))))
  let text = screen(state).text
  #expect(text.contains("step 30/100"))
  #expect(text.contains("lr 1e-7"))
}
