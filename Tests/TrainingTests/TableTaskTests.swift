import Foundation
import Testing

@testable import Training

private func tableSettings(_ path: String, _ extra: [String] = []) throws -> HyperParameters {
  try HyperParameters().applying(overrides: ["task=\(path)", "base_model=none"] + extra)
}

private func write(_ text: String, _ name: String, in scratch: ScratchDirectory) throws -> String {
  let url = scratch.url.appendingPathComponent(name)
  try text.write(to: url, atomically: true, encoding: .utf8)
  return url.path
}

/// Two classes told apart by a feature in the thousands and one around 0.001: unscaled, the
/// small one is invisible to a model; scaled, both matter.
private func imbalancedScales(rows: Int) -> String {
  var lines = ["big,small,label"]
  var rng = SplitMix64(seed: 5)
  for row in 0..<rows {
    let positive = row % 4 == 0
    let big = 1000 + Float(rng.next() % 1000)
    let small = (positive ? 0.002 : 0.001) + Float(rng.next() % 100) * 1e-6
    lines.append("\(big),\(small),\(positive ? "rare" : "common")")
  }
  return lines.joined(separator: "\n") + "\n"
}

@Test func trainSamplesAllIsTheDefaultForAFileAndReadsBack() throws {
  let hp = try tableSettings("data.csv")
  #expect(hp.trainSamples == HyperParameters.allSamples)
  #expect(hp.value(of: .trainSamples) == "all")
  #expect(try HyperParameters.load(yaml: hp.yaml()).trainSamples == HyperParameters.allSamples)
  // The built-in task keeps its 100, and an explicit count wins for a file.
  #expect(HyperParameters().trainSamples == 100)
  #expect(try tableSettings("data.csv", ["train_samples=30"]).trainSamples == 30)
  let bad = #expect(throws: ConfigError.self) {
    try HyperParameters().applying(overrides: ["train_samples=most"])
  }
  #expect(bad?.message == "train_samples must be an integer or all, got \"most\"")
  let choice = #expect(throws: ConfigError.self) {
    try HyperParameters().applying(overrides: ["normalize=zscore"])
  }
  #expect(choice?.message == "normalize must be one of auto, standard, minmax, none, got zscore")
  let weights = #expect(throws: ConfigError.self) {
    try HyperParameters().applying(overrides: ["class_weights=inverse"])
  }
  #expect(weights?.message == "class_weights must be one of none, balanced, got inverse")
}

@Test func classNamesOneHotAndMissingValuesEncode() throws {
  let task = try TableTask.load(
    try tableSettings(tableFixture("one_hot"), ["val_fraction=0.5"]), base: nil)
  #expect(task.preprocessing.classes.names == ["a", "b"])
  let colour = task.preprocessing.features[1]
  #expect(colour.name == "colour")
  #expect(task.preprocessing.inputNames.first == "size")
  #expect(task.report.oneHot == ["colour": colour.categories!.count])
  // One-hot inputs are 0/1 and are not scaled.
  let encoded = task.splits.train.features
  for row in 0..<encoded.rows {
    let hot = (1..<encoded.cols).map { encoded[row, $0] }
    #expect(hot.allSatisfy { $0 == 0 || $0 == 1 })
  }

  let missing = try TableTask.load(try tableSettings(tableFixture("missing"), ["normalize=none"]), base: nil)
  #expect(missing.report.imputed == ["x": 2, "y": 1])
  let x = missing.preprocessing.features[0]
  // The mean of x over the training rows only, written in for the missing cells.
  let trainRows = missing.splits.train
  #expect(x.mean != nil)
  #expect((0..<trainRows.count).allSatisfy { !trainRows.features[$0, 0].isNaN })
}

@Test func unseenAndMissingCategoriesEncodeAsAllZeros() throws {
  let table = try TableReader.parse(
    Data("size,colour,label\n1,red,a\n2,green,b\n3,purple,a\n4,,b\n".utf8), source: "p.csv"
  ) { names, hasHeader in [1, 2] }
  let preprocessing = TablePreprocessing(
    labelColumn: "label", classes: ClassLabels(names: ["a", "b"]),
    features: [
      .init(name: "size", position: 0, mean: 0),
      .init(name: "colour", position: 1, categories: ["green", "red"]),
    ], normalize: .none, offsets: [0, 0, 0], scales: [1, 1, 1])
  let encoded = try preprocessing.encode(table)
  #expect(encoded.storage == [1, 0, 1, 2, 1, 0, 3, 0, 0, 4, 0, 0])
}

@Test func standardScalingIsFittedOnTheTrainingSplitOnly() throws {
  let scratch = ScratchDirectory()
  let path = try write(imbalancedScales(rows: 200), "scales.csv", in: scratch)
  let task = try TableTask.load(try tableSettings(path), base: nil)
  let train = task.splits.train.features
  for column in 0..<2 {
    let values = (0..<train.rows).map { Double(train[$0, column]) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
    #expect(abs(mean) < 1e-4)
    #expect(abs(variance - 1) < 1e-3)
  }
  // The validation split is transformed with the training statistics, so it is not exactly standard.
  let validation = task.splits.validation.features
  let validationMean =
    (0..<validation.rows).map { Double(validation[$0, 0]) }.reduce(0, +) / Double(validation.rows)
  #expect(validationMean != 0)

  let minmax = try TableTask.load(try tableSettings(path, ["normalize=minmax"]), base: nil)
  #expect(minmax.splits.train.features.storage.min() == 0)
  #expect(minmax.splits.train.features.storage.max() == 1)
  let none = try TableTask.load(try tableSettings(path, ["normalize=none"]), base: nil)
  #expect(none.splits.train.features.storage.max()! > 1000)
  // auto: standard from scratch, none for a base model without statistics (the built-in one).
  #expect(try TableTask.normalization(tableSettings(path)) == .standard)
  #expect(try TableTask.normalization(tableSettings(path, ["base_model=builtin"])) == .none)
}

@Test func splitsAreStratifiedAndReportClassCounts() throws {
  let scratch = ScratchDirectory()
  let path = try write(imbalancedScales(rows: 400), "strat.csv", in: scratch)
  let task = try TableTask.load(try tableSettings(path, ["val_fraction=0.2"]), base: nil)
  let report = task.report
  #expect(report.classes == ["common", "rare"])
  #expect(report.testCounts == [75, 25])
  #expect(report.validationCounts == [45, 15])
  #expect(report.trainCounts == [180, 60])
  #expect(report.countsLine == "common 180/45/75, rare 60/15/25")
  let fewer = try TableTask.load(try tableSettings(path, ["train_samples=50"]), base: nil)
  #expect(fewer.splits.train.count == 50)
  #expect(throws: DatasetError.invalidTrainSamples(requested: 1000, available: 240)) {
    try TableTask.load(try tableSettings(path, ["train_samples=1000", "val_fraction=0.2"]), base: nil)
  }
}

@Test func validationAndTestFilesReplaceTheirSplits() throws {
  let scratch = ScratchDirectory()
  let path = try write(imbalancedScales(rows: 100), "main.csv", in: scratch)
  let validation = try write(imbalancedScales(rows: 12), "val.csv", in: scratch)
  let test = try write(
    "big,small,label\n1500,0.002,rare\n1200,0.001,common\n1300,0.001,common\n", "test.csv", in: scratch)
  let task = try TableTask.load(
    try tableSettings(path, ["val_task=\(validation)", "test_task=\(test)"]), base: nil)
  #expect(task.splits.validation.count == 12)
  #expect(task.splits.test.count == 3)
  #expect(task.splits.train.count == 100)
  #expect(task.report.testCounts == [2, 1])
  let unknown = try write("big,small,label\n1500,0.002,other\n", "bad.csv", in: scratch)
  let error = #expect(throws: CSVDatasetError.self) {
    try TableTask.load(try tableSettings(path, ["test_task=\(unknown)"]), base: nil)
  }
  #expect(
    error?.description
      == "\(unknown):2: label \"other\" is not a class of the training data; the classes are common, rare")
}

@Test func balancedClassWeightsFollowScikitLearn() throws {
  let scratch = ScratchDirectory()
  let path = try write(imbalancedScales(rows: 400), "w.csv", in: scratch)
  let task = try TableTask.load(
    try tableSettings(path, ["class_weights=balanced", "val_fraction=0.2"]), base: nil)
  // 240 rows, 180 common and 60 rare: 240 / (2 · 180) and 240 / (2 · 60).
  #expect(task.classWeights == [Float(240.0 / 360.0), 2])
  // The weighted loss is Σ w·L / Σ w, as PyTorch's CrossEntropyLoss(weight=).
  let logits = Matrix(rows: 3, cols: 2, storage: [1, 0, 0, 2, 0.5, 0.5])
  let labels = [0, 1, 1]
  let weighted = SoftmaxCrossEntropy()
  weighted.classWeights = [0.5, 2]
  let plain = SoftmaxCrossEntropy()
  func rowLoss(_ row: Int) -> Double {
    plain.evaluate(
      logits: Matrix(rows: 1, cols: 2, storage: Array(logits.storage[(row * 2)..<(row * 2 + 2)])),
      labels: [labels[row]]
    ).loss
  }
  let expected = (0.5 * rowLoss(0) + 2 * rowLoss(1) + 2 * rowLoss(2)) / 4.5
  #expect(abs(weighted.lossAndGradient(logits: logits, labels: labels).loss - expected) < 1e-6)
}

@Test func editingTheTaskInTheFormSwitchesTrainSamplesToAllAndBack() throws {
  var hp = HyperParameters()
  try hp.set(.task, from: "wine.csv")
  #expect(hp.trainSamples == HyperParameters.allSamples)
  try hp.set(.task, from: "thick-digits")
  #expect(hp.trainSamples == 100)
  try hp.set(.trainSamples, from: "30")
  try hp.set(.task, from: "wine.csv")
  #expect(hp.trainSamples == 30)
}
