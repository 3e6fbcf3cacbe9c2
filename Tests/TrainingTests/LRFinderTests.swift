import Foundation
import Testing

@testable import Training

@Test func lrRangeTestRestoresTheModelBitForBit() throws {
  let hp = try settings(["train_samples=64", "frozen=hidden1", "dropout=0.2", "batch_size=8"])
  let prepared = try PreparedRun.prepare(hp)
  let model = prepared.model
  let before = model.store.values.map(\.bitPattern)
  let dropoutStates = model.dropoutRNGStates
  let frozen = model.store.frozen
  var movedDuringTest = false
  let result = LRRangeTest(steps: 40).run(
    prepared,
    onPoint: { _ in
      if !movedDuringTest { movedDuringTest = model.store.values.map(\.bitPattern) != before }
    })
  // The test really trained the model, so restoring it is not trivially true.
  #expect(movedDuringTest)
  #expect(result.points.count > 10)
  #expect(model.store.values.map(\.bitPattern) == before)
  #expect(model.dropoutRNGStates == dropoutStates)
  #expect(model.store.frozen == frozen)
  #expect(model.store.gradients.allSatisfy { $0 == 0 })
}

@Test func lrRangeTestRisesExponentiallyAndStopsWhenTheLossBlowsUp() throws {
  let prepared = try PreparedRun.prepare(try settings(["train_samples=64"]))
  let test = LRRangeTest()
  let result = test.run(prepared)
  #expect(result.points.first?.learningRate == 1e-7)
  #expect(abs(test.learningRate(at: 50) - 1e-7 * pow(1e8, 0.5)) < 1e-12)
  // A rate of 10 with AdamW wrecks this model long before the last step.
  #expect(result.stoppedEarly)
  let last = try #require(result.points.last)
  let best = result.points.dropLast().map(\.smoothedLoss).min()!
  #expect(last.smoothedLoss > 4 * best)
  let suggestion = try #require(result.suggestedLearningRate)
  #expect(suggestion > 1e-7 && suggestion < last.learningRate)
  #expect(result.csv().hasPrefix("lr,loss,smoothed_loss\n"))
  #expect(result.csv().split(separator: "\n").count == result.points.count + 1)
}

@Test func smoothedLossIsTheDebiasedMovingAverage() throws {
  let prepared = try PreparedRun.prepare(try settings(["train_samples=32"]))
  let result = LRRangeTest(steps: 10).run(prepared)
  var average = 0.0
  for (index, point) in result.points.enumerated() {
    average = 0.98 * average + 0.02 * point.loss
    #expect(abs(point.smoothedLoss - average / (1 - pow(0.98, Double(index + 1)))) < 1e-12)
  }
  let first = try #require(result.points.first)
  #expect(abs(first.smoothedLoss - first.loss) < 1e-12)
}

@Test func valleyRuleMatchesFastaiOnScriptedCurves() {
  // Longest descending run from index 1 (loss 2) to 7 (0.5): span 6, a third is 2, pick 1 + 2 + 1.
  #expect(ValleyRule.index(losses: [1, 2, 3, 2.5, 2, 1.5, 1.0, 0.5, 5, 9]) == 4)
  // A curve falling from the first point: fastai's start is one before it (−1), so 7/3 → −1 + 2 + 1.
  #expect(ValleyRule.index(losses: [3, 2.5, 2, 1.5, 1, 0.8, 0.6, 2, 4, 8]) == 2)
  #expect(ValleyRule.index(losses: [1]) == 0)
  #expect(ValleyRule.index(losses: []) == nil)
  #expect(ValleyRule.consideredRange(recorded: 92, plannedSteps: 100) == 10..<87)
  #expect(ValleyRule.consideredRange(recorded: 12, plannedSteps: 100) == 0..<0)
}

@Test func backgroundLRRangeTestMatchesTheForegroundOneAndCanBeCancelled() throws {
  let hp = try settings(["train_samples=64"])
  let foreground = LRRangeTest(steps: 30).run(try PreparedRun.prepare(hp))
  let background = BackgroundLRRangeTest(LRRangeTest(steps: 30), prepared: try PreparedRun.prepare(hp))
  let result = background.waitUntilFinished()
  #expect(result == foreground)
  #expect(background.points() == foreground.points)

  let cancelledEarly = BackgroundLRRangeTest(LRRangeTest(steps: 30), prepared: try PreparedRun.prepare(hp))
  cancelledEarly.cancel()
  #expect(cancelledEarly.waitUntilFinished().points.isEmpty)
}
