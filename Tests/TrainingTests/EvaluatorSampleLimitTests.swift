import Testing

@testable import Training

private func randomData(rows: Int, features: Int, classes: Int, seed: UInt64) -> Dataset {
  var rng = SplitMix64(seed: seed)
  var x = Matrix(rows: rows, cols: features)
  for index in x.storage.indices { x.storage[index] = Float(rng.nextUnitDouble() * 2 - 1) }
  let labels = (0..<rows).map { _ in Int(rng.next() % UInt64(classes)) }
  return Dataset(features: x, labels: labels, classes: classes)
}

@Test func aSampleLimitScoresEvenlySpacedSamplesOnly() {
  let model = MLP(inputSize: 5, hiddenSizes: [8], classes: 3, dropout: 0, seed: 7)
  let data = randomData(rows: 103, features: 5, classes: 3, seed: 9)
  let evaluator = ModelEvaluator()
  var none: ConfusionMatrix?
  let whole = evaluator.evaluate(model, on: data, batchSize: 16)
  let unlimited = evaluator.evaluate(model, on: data, batchSize: 16, sampleLimit: 103, confusion: &none)
  #expect(unlimited.loss == whole.loss && unlimited.accuracy == whole.accuracy)

  let limited = evaluator.evaluate(model, on: data, batchSize: 4, sampleLimit: 10, confusion: &none)
  // The same ten samples by hand: i × 103 / 10.
  let picked = (0..<10).map { $0 * 103 / 10 }
  let loss = SoftmaxCrossEntropy()
  var labels: [Int] = []
  data.gatherLabels(picked[...], into: &labels)
  let expected = loss.evaluate(
    logits: model.forward(data, indices: picked[...], training: false), labels: labels)
  #expect(abs(limited.loss - expected.loss) < 1e-9)
  #expect(limited.accuracy == Double(expected.correct) / 10)
  #expect(limited.loss != whole.loss)

  // The reused index list must follow a split of another size afterwards.
  let small = randomData(rows: 10, features: 5, classes: 3, seed: 11)
  let direct = ModelEvaluator().evaluate(model, on: small, batchSize: 3)
  let reused = evaluator.evaluate(model, on: small, batchSize: 3)
  #expect(direct.loss == reused.loss)
}
