import Testing
import Training

@testable import Dashboard

/// A run with many short epochs: every epoch is kept, the best is the first of the lowest finite
/// validation losses, and the charts get a bounded, evenly spread selection that keeps best and last.
@Test func longRunsKeepEveryEpochButChartABoundedSelection() {
  var history = RunHistory()
  var rng = SplitMix64(seed: 3)
  let count = 5_000
  for epoch in 0..<count {
    let noise = Double(rng.nextUnitFloat())
    let validation = epoch == 1_234 ? 0.001 : (epoch % 97 == 5 ? Double.nan : 0.5 + noise)
    _ = history.apply(
      .epoch(
        EpochMetrics(
          epoch: epoch, step: epoch * 10, trainLoss: 1 / Double(epoch + 1), trainAccuracy: 0.5,
          validationLoss: validation, validationAccuracy: 0.5, learningRate: 1e-3, seconds: 0, isBest: false)),
      patience: 3, minDelta: 0)
  }
  #expect(history.epochs.count == count)
  let bruteForceBest = history.epochs.filter(\.validationLoss.isFinite).min {
    $0.validationLoss < $1.validationLoss
  }
  #expect(history.bestEpoch == bruteForceBest)
  #expect(history.bestEpoch?.epoch == 1_234)
  let charted = history.chartEpochs
  #expect(charted.count <= RunHistory.chartEpochLimit + 1)
  #expect(charted.first?.epoch == 0)
  #expect(charted.last?.epoch == count - 1)
  #expect(charted.contains { $0.epoch == 1_234 })
  #expect(zip(charted, charted.dropFirst()).allSatisfy { $0.epoch < $1.epoch })
  #expect(history.evaluationIndex(1_234) == 1_234)
  #expect(history.evaluationIndex(Double(count)) == nil)
}
