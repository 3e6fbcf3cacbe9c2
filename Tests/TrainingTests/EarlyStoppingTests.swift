import Testing

@testable import Training

private func decisions(_ stopping: inout EarlyStopping, _ history: [Double]) -> [EarlyStopping.Decision] {
  history.enumerated().map { stopping.observe(valLoss: $0.element, epoch: $0.offset + 1) }
}

@Test func stopsAfterPatienceEvaluationsWithoutARealImprovement() {
  // Patience 3, min delta 0.01: 0.795 is not below 0.8 − 0.01, so epochs 3, 4, 5 wait and 5 stops.
  var stopping = EarlyStopping(patience: 3, minDelta: 0.01)
  #expect(
    decisions(&stopping, [1.0, 0.8, 0.795, 0.81, 0.792])
      == [.improved, .improved, .waited(1), .waited(2), .stop])
  #expect(stopping.bestEpoch == 2)
  #expect(stopping.bestValue == 0.8)
}

@Test func withoutMinDeltaAnySmallerLossIsAnImprovement() {
  var stopping = EarlyStopping(patience: 3)
  #expect(
    decisions(&stopping, [1.0, 0.8, 0.795, 0.81, 0.792])
      == [.improved, .improved, .improved, .waited(1), .improved])
  #expect(stopping.bestEpoch == 5)
  #expect(stopping.waited == 0)
}

@Test func patienceZeroNeverStopsButStillTracksTheBest() {
  var stopping = EarlyStopping(patience: 0, minDelta: 0.01)
  let history = [0.5] + Array(repeating: 0.6, count: 50)
  #expect(!decisions(&stopping, history).contains(.stop))
  #expect(stopping.bestEpoch == 1)
  #expect(stopping.waited == 50)
}

@Test func aNaNLossIsNeverAnImprovement() {
  var stopping = EarlyStopping(patience: 2)
  #expect(decisions(&stopping, [1.0, .nan, .nan]) == [.improved, .waited(1), .stop])
}
