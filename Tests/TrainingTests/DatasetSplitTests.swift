import Testing

@testable import Training

private func numberedDataset(_ count: Int) -> Dataset {
  Dataset(
    features: Matrix(rows: count, cols: 2, storage: (0..<count).flatMap { [Float($0), -Float($0)] }),
    labels: (0..<count).map { $0 % 3 }, classes: 3)
}

@Test func subsetCopiesRowsAndLabelsInOrder() {
  let data = numberedDataset(5)
  let picked = data.subset([4, 0, 4])
  #expect(picked.features.storage == [4, -4, 0, 0, 4, -4])
  #expect(picked.labels == [1, 0, 1])
  #expect(picked.classes == 3)
  #expect(picked.featureCount == 2)
  #expect(data.subset([]).count == 0)
}

@Test func splitsAreDisjointAndOnlyTheTrainDrawDependsOnTheSeed() throws {
  let a = try FineTuningSplits.indices(count: 400, trainSamples: 50, valFraction: 0.3, seed: 1)
  let b = try FineTuningSplits.indices(count: 400, trainSamples: 50, valFraction: 0.3, seed: 2)
  #expect(a.test.count == 100)
  #expect(a.validation.count == 90)
  #expect(a.train.count == 50)
  #expect(a.test == b.test)
  #expect(a.validation == b.validation)
  #expect(Set(a.train) != Set(b.train))
  for rows in [a, b] {
    let all = rows.train + rows.validation + rows.test
    #expect(Set(all).count == all.count)
  }
  let again = try FineTuningSplits.indices(count: 400, trainSamples: 50, valFraction: 0.3, seed: 1)
  #expect(again.train == a.train)
}

@Test func moreTrainSamplesWithTheSameSeedDrawASuperset() throws {
  let small = try FineTuningSplits.indices(count: 400, trainSamples: 10, valFraction: 0.3, seed: 9)
  let large = try FineTuningSplits.indices(count: 400, trainSamples: 100, valFraction: 0.3, seed: 9)
  #expect(Array(large.train.prefix(10)) == small.train)
}

@Test func splitSubsetsTheDatasetByTheSameIndices() throws {
  let data = numberedDataset(40)
  let rows = try FineTuningSplits.indices(count: 40, trainSamples: 5, valFraction: 0.25, seed: 3)
  let splits = try FineTuningSplits.split(data, trainSamples: 5, valFraction: 0.25, seed: 3)
  #expect(splits.train == data.subset(rows.train))
  #expect(splits.validation == data.subset(rows.validation))
  #expect(splits.test == data.subset(rows.test))
}

@Test func invalidSplitSettingsNameTheValidRange() {
  let data = numberedDataset(100)
  // 25 test, 75 in the pool, 23 validation, 52 candidates.
  let tooMany = #expect(throws: DatasetError.invalidTrainSamples(requested: 60, available: 52)) {
    try FineTuningSplits.split(data, trainSamples: 60, valFraction: 0.3, seed: 0)
  }
  #expect(tooMany?.description.contains("expected 1 to 52") == true)
  #expect(throws: DatasetError.invalidTrainSamples(requested: 0, available: 52)) {
    try FineTuningSplits.split(data, trainSamples: 0, valFraction: 0.3, seed: 0)
  }
  for fraction in [0, 1, -0.5, .nan] {
    #expect(throws: DatasetError.self) {
      try FineTuningSplits.split(data, trainSamples: 1, valFraction: fraction, seed: 0)
    }
  }
  #expect(throws: DatasetError.tooFewSamples(count: 2, needed: 3)) {
    try FineTuningSplits.split(numberedDataset(2), trainSamples: 1, valFraction: 0.5, seed: 0)
  }
  #expect(throws: Never.self) {
    try FineTuningSplits.split(numberedDataset(3), trainSamples: 1, valFraction: 0.5, seed: 0)
  }
}
