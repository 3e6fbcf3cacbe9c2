import Foundation
import Testing

@testable import Training

/// Labels and predictions of a 6-class fixture where class 4 is never predicted and class 5 never
/// occurs. The expected numbers below were printed by scikit-learn 1.9.1:
/// `classification_report(y_true, y_pred, labels=range(6), zero_division=0, output_dict=True)`
/// and `f1_score(y_true, y_pred, average="macro", zero_division=0)`.
private let fixtureTruth = [
  4, 3, 3, 4, 2, 3, 4, 1, 0, 1, 1, 4, 4, 0, 2, 4, 0, 3, 0, 2, 4, 1, 1, 1, 3, 1, 4, 2, 2, 2, 2, 2, 2, 4,
  4, 3, 3, 3, 1, 4, 2, 1, 4, 0, 4, 3, 0, 0, 2, 0, 0, 2, 4, 2, 4, 4, 4, 3, 2, 2,
]
private let fixturePredicted = [
  1, 1, 0, 5, 2, 5, 1, 3, 0, 2, 1, 1, 1, 0, 2, 1, 3, 3, 0, 2, 1, 1, 2, 1, 1, 2, 1, 2, 2, 2, 2, 2, 2, 1,
  1, 0, 3, 0, 1, 1, 2, 2, 1, 0, 1, 3, 0, 0, 2, 0, 5, 2, 1, 0, 1, 1, 1, 3, 2, 2,
]

private func close(_ a: [Double], _ b: [Double]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 }
}

@Test func perClassMetricsMatchScikitLearn() {
  var confusion = ConfusionMatrix(classes: 6)
  for (truth, predicted) in zip(fixtureTruth, fixturePredicted) {
    confusion.add(truth: truth, predicted: predicted)
  }
  #expect(
    confusion.rows == [
      [7, 0, 0, 1, 0, 1], [0, 4, 4, 1, 0, 0], [1, 0, 14, 0, 0, 0], [3, 2, 0, 4, 0, 1],
      [0, 16, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0],
    ])
  let metrics = ClassMetrics(confusion: confusion)
  #expect(
    close(
      metrics.precision,
      [0.6363636363636364, 0.18181818181818182, 0.7777777777777778, 0.6666666666666666, 0, 0]))
  #expect(close(metrics.recall, [0.7777777777777778, 0.4444444444444444, 0.9333333333333333, 0.4, 0, 0]))
  #expect(close(metrics.f1, [0.7, 0.25806451612903225, 0.8484848484848485, 0.5, 0, 0]))
  #expect(metrics.support == [9, 9, 15, 10, 17, 0])
  #expect(abs(metrics.macroF1 - 0.38442489410231345) < 1e-12)
  #expect(abs(metrics.accuracy - 0.48333333333333334) < 1e-12)
}

@Test func handComputedMatrixWithAClassNeverPredictedAndOneAbsent() {
  // Class 1 is never predicted (precision 0 by zero_division=0, not NaN); class 2 neither occurs nor
  // is predicted, so it stays out of the macro average.
  let metrics = ClassMetrics(confusion: ConfusionMatrix(rows: [[3, 0, 0], [2, 0, 0], [0, 0, 0]]))
  #expect(metrics.precision == [3.0 / 5, 0, 0])
  #expect(metrics.recall == [1, 0, 0])
  // F1 of class 0: 2·3 / (2·3 + 2 + 0) = 0.75.
  #expect(metrics.f1 == [0.75, 0, 0])
  #expect(metrics.macroF1 == 0.375)
  #expect(metrics.support == [3, 2, 0])
}

@Test func emptyEvaluationScoresZeroNotNaN() {
  let metrics = ClassMetrics(confusion: ConfusionMatrix(classes: 4))
  #expect(metrics.macroF1 == 0)
  #expect(metrics.precision.allSatisfy { $0 == 0 } && metrics.f1.allSatisfy { $0 == 0 })
}

@Test func confusionFromLogitsAgreesWithTheLossFunctionsCorrectCount() {
  // Ties (row 2) go to the first largest logit, as SoftmaxCrossEntropy counts them.
  let logits = Matrix(rows: 4, cols: 3, storage: [1, 5, 2, 9, 0, 0, 3, 3, 1, -1, -2, -0.5])
  let labels = [1, 0, 1, 2]
  var confusion = ConfusionMatrix(classes: 3)
  confusion.add(logits: logits, labels: labels[...])
  #expect(confusion.rows == [[1, 0, 0], [1, 1, 0], [0, 0, 1]])
  #expect(confusion.correct == SoftmaxCrossEntropy().evaluate(logits: logits, labels: labels).correct)
}

@Test func modelEvaluationCountsTheSamePredictionsAsItsAccuracy() throws {
  let prepared = try PreparedRun.prepare(try settings(["train_samples=64"]))
  let data = prepared.validation
  var confusion: ConfusionMatrix? = ConfusionMatrix(classes: prepared.model.classes)
  let scored = ModelEvaluator().evaluate(prepared.model, on: data, batchSize: 7, confusion: &confusion)
  let plain = prepared.model.evaluate(data, batchSize: 7)
  #expect(scored.loss == plain.loss && scored.accuracy == plain.accuracy)
  #expect(confusion!.total == data.count)
  #expect(abs(ClassMetrics(confusion: confusion!).accuracy - plain.accuracy) < 1e-12)
  #expect(
    (0..<10).map { confusion!.support($0) } == (0..<10).map { c in data.labels.filter { $0 == c }.count })
}

@Test func classesFileRoundTripsAndSkipsATornEpoch() throws {
  let scratch = ScratchDirectory()
  let directory = try RunDirectory(root: scratch.url, name: "classes")
  let labels = ClassLabels(names: ["cat", "dog, small", "owl"])
  let first = ClassMetrics(confusion: ConfusionMatrix(rows: [[2, 1, 0], [0, 3, 0], [1, 0, 0]]))
  let second = ClassMetrics(confusion: ConfusionMatrix(rows: [[3, 0, 0], [0, 3, 0], [0, 0, 1]]))
  try directory.appendClassMetrics(epoch: 0, metrics: first, labels: labels)
  try directory.appendClassMetrics(epoch: 1, metrics: second, labels: labels)
  // A writer killed mid-epoch leaves part of an epoch: the reader must not take it as one.
  try AtomicFile.appendLine("2,cat,3,1,1,1,1,3,0", to: directory.classMetricsURL)
  let read = try #require(try ClassMetricsFile.read(runDirectory: directory.url))
  #expect(read.labels == labels)
  #expect(read.epochs == [.init(epoch: 0, metrics: first), .init(epoch: 1, metrics: second)])
  let text = try String(contentsOf: directory.classMetricsURL, encoding: .utf8)
  #expect(
    text.hasPrefix(
      "epoch,class,support,precision,recall,f1,macro_f1,pred_cat,\"pred_dog, small\",pred_owl\n"
        + "0,cat,3,0.666667,0.666667,0.666667,0.507937,2,1,0\n"))
  try directory.truncateClassMetrics(afterEpoch: 0)
  #expect(try ClassMetricsFile.read(runDirectory: directory.url)?.epochs.map(\.epoch) == [0])
}

@Test func savedMatrixOfTheWrongSizeIsRefused() {
  let json = #"{"classes": 3, "counts": [1, 2, 3]}"#
  #expect(throws: DecodingError.self) {
    try JSONDecoder().decode(ConfusionMatrix.self, from: Data(json.utf8))
  }
}
