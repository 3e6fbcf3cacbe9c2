import Testing

@testable import Training

@Test func bucketedSeriesStaysWithinCapacityAndKeepsExtremes() {
  var series = BucketedSeries(capacity: 8)
  for step in 1...1000 { series.append(x: step, Double(step % 97)) }
  #expect(series.buckets.count <= 8)
  #expect(series.totalPoints == 1000)
  #expect(series.buckets.reduce(0) { $0 + $1.count } == 1000)
  #expect(series.buckets.map(\.minimum).min() == 0)
  #expect(series.buckets.map(\.maximum).max() == 96)
  #expect(series.buckets.first?.firstX == 1)
  #expect(series.buckets.last?.lastX == 1000)
  // Buckets cover consecutive, non-overlapping step ranges.
  for (left, right) in zip(series.buckets, series.buckets.dropFirst()) {
    #expect(left.lastX + 1 == right.firstX)
  }
}

@Test func bucketedSeriesMeanIsExactBeforeCompaction() {
  var series = BucketedSeries(capacity: 4)
  for (step, value) in [1.0, 2, 3, 4].enumerated() { series.append(x: step, value) }
  #expect(series.means == [1, 2, 3, 4])
  series.append(x: 4, 5)
  #expect(series.means == [1.5, 3.5, 5])
}

@Test func overfittingNeedsRisingValidationAndFallingTrainLoss() {
  let detector = OverfittingDetector(patience: 3)
  let epochs = Array(0...7)
  let train = [2.0, 1.5, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
  let rising = [2.0, 1.4, 1.1, 0.9, 1.0, 1.1, 1.3, 1.5]
  #expect(detector.onset(epochs: epochs, trainLoss: train, validationLoss: rising) == 3)
  // Two evaluations above the best are not yet enough with patience 3.
  #expect(
    detector.onset(
      epochs: Array(epochs.prefix(6)), trainLoss: Array(train.prefix(6)),
      validationLoss: Array(rising.prefix(6))) == nil)
  // Validation rising while train loss rises too is not overfitting (the run is diverging instead).
  let trainUp = [2.0, 1.5, 1.0, 0.8, 0.9, 1.0, 1.2, 1.4]
  #expect(detector.onset(epochs: epochs, trainLoss: trainUp, validationLoss: rising) == nil)
  // A new best resets the count.
  let recovered = [2.0, 1.4, 1.1, 0.9, 1.0, 1.1, 0.8, 0.85]
  #expect(detector.onset(epochs: epochs, trainLoss: train, validationLoss: recovered) == nil)
}
