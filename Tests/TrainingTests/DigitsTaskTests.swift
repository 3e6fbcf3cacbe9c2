import Testing

@testable import Training

@Test func builtInDigitsLoadScaledToUnitRange() throws {
  let digits = try DigitsTask.all()
  #expect(digits.count == 1797)
  #expect(digits.featureCount == 64)
  #expect(digits.classes == 10)
  #expect(digits.features.storage.allSatisfy { (0...1).contains($0) })
  // The first line of digits.csv is a 0 whose third pixel is 5 and fourth is 13.
  #expect(digits.labels[0] == 0)
  #expect(digits.features[0, 2] == 5.0 / 16)
  #expect(digits.features[0, 3] == 13.0 / 16)
  #expect(Set(digits.labels) == Set(0..<10))
}

@Test func pretrainingAndFineTuningHalvesAreDisjoint() {
  let halves = DigitsTask.halves()
  #expect(halves.pretraining.count == 898)
  #expect(halves.fineTuning.count == 899)
  #expect(Set(halves.pretraining).isDisjoint(with: halves.fineTuning))
  #expect(Set(halves.pretraining + halves.fineTuning) == Set(0..<1797))
}

@Test func fineTuningSplitsHaveFixedTestAndValidationSets() throws {
  let a = try DigitsTask.fineTuningSplits(variant: .thick, trainSamples: 100, valFraction: 0.3, seed: 42)
  let b = try DigitsTask.fineTuningSplits(variant: .thick, trainSamples: 10, valFraction: 0.3, seed: 7)
  // 899 rows: 225 test, 674 in the pool, 202 validation, 472 candidates.
  #expect(a.test.count == 225)
  #expect(a.validation.count == 202)
  #expect(a.train.count == 100)
  #expect(b.train.count == 10)
  #expect(a.test == b.test)
  #expect(a.validation == b.validation)
  #expect(a.train.classes == 10)
  let tooMany = #expect(throws: DatasetError.invalidTrainSamples(requested: 500, available: 472)) {
    try DigitsTask.fineTuningSplits(variant: .thick, trainSamples: 500, valFraction: 0.3, seed: 42)
  }
  #expect(
    tooMany?.description
      == "train_samples is 500; expected 1 to 472, the samples left after the test and validation sets are set aside"
  )
}

@Test func variantsTransformTheSameImages() throws {
  let clean = try DigitsTask.fineTuningSplits(variant: .clean, trainSamples: 20, valFraction: 0.3, seed: 1)
  let thick = try DigitsTask.fineTuningSplits(variant: .thick, trainSamples: 20, valFraction: 0.3, seed: 1)
  let inverted = try DigitsTask.fineTuningSplits(
    variant: .inverted, trainSamples: 20, valFraction: 0.3, seed: 1)
  #expect(thick.train.labels == clean.train.labels)
  #expect(inverted.test.features.storage == clean.test.features.storage.map { 1 - $0 })
  #expect(thick.test.features == DigitsVariant.thick.apply(to: clean.test.features))
  #expect(zip(thick.test.features.storage, clean.test.features.storage).allSatisfy { $0 >= $1 })
}

@Test func thickDilatesTwoByTwoClippedAtTheBorder() {
  var image = Matrix(rows: 1, cols: 64)
  image[0, 3 * 8 + 3] = 1
  image[0, 7 * 8 + 7] = 0.5
  image[0, 0 * 8 + 7] = 0.25
  let thick = DigitsVariant.thick.apply(to: image)
  var expected = Matrix(rows: 1, cols: 64)
  for (i, j) in [(2, 2), (2, 3), (3, 2), (3, 3)] { expected[0, i * 8 + j] = 1 }
  for (i, j) in [(6, 6), (6, 7), (7, 6), (7, 7)] { expected[0, i * 8 + j] = 0.5 }
  for (i, j) in [(0, 6), (0, 7)] { expected[0, i * 8 + j] = 0.25 }
  #expect(thick == expected)
}

@Test func pretrainingSplitsUseTheCleanHalf() throws {
  let splits = try DigitsTask.pretrainingSplits(seed: 0)
  #expect(splits.validation.count == 180)
  #expect(splits.train.count == 718)
  let again = try DigitsTask.pretrainingSplits(seed: 0)
  #expect(again.train == splits.train)
  let all = try DigitsTask.all()
  let half = all.subset(DigitsTask.halves().pretraining)
  #expect(
    Set(splits.train.features.storage + splits.validation.features.storage) == Set(half.features.storage))
}

@Test func variantsAreNamedByTheTaskSetting() {
  #expect(DigitsVariant(task: "thick-digits") == .thick)
  #expect(DigitsVariant(task: "inverted-digits") == .inverted)
  #expect(DigitsVariant(task: "clean-digits") == .clean)
  #expect(DigitsVariant(task: "data/train.csv") == nil)
  #expect(DigitsVariant(task: "bold-digits") == nil)
}
