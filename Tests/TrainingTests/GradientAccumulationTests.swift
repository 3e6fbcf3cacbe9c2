import Foundation
import Testing

@testable import Training

/// Gradients of the mean loss over `rows` of `x`, taken in one batch or accumulated over `splits`
/// batches weighted by their share of the rows, as the trainer weights them.
private func gradients(
  _ model: MLP, _ x: Matrix, _ labels: [Int], splits: [Range<Int>], smoothing: Float
) -> [Float] {
  let data = Dataset(features: x, labels: labels, classes: model.classes)
  let loss = SoftmaxCrossEntropy(labelSmoothing: smoothing)
  let order = Array(0..<x.rows)
  model.store.zeroGradients()
  for split in splits {
    let logits = model.forward(data, indices: order[split], training: true)
    let result = loss.lossAndGradient(
      logits: logits, labels: Array(labels[split]),
      gradientScale: Double(split.count) / Double(x.rows))
    model.backward(result.gradient)
  }
  return model.store.gradients
}

@Test(arguments: [Float(0), 0.1])
func accumulatedBatchesGiveTheGradientOfOneBatchAsLarge(smoothing: Float) {
  let model = MLP(inputSize: 5, hiddenSizes: [7, 6], classes: 3, dropout: 0, seed: 17)
  var rng = SplitMix64(seed: 4)
  let x = GradientCheck.randomMatrix(rows: 11, cols: 5, rng: &rng)
  let labels = (0..<11).map { _ in Int(rng.next() % 3) }
  let whole = gradients(model, x, labels, splits: [0..<11], smoothing: smoothing)
  // Unequal batches (4 + 4 + 3, the last one short) still weigh every sample equally.
  let accumulated = gradients(model, x, labels, splits: [0..<4, 4..<8, 8..<11], smoothing: smoothing)
  #expect(GradientCheck.relativeError(accumulated, whole.map(Double.init)) < 1e-6)
  #expect(whole.contains { $0 != 0 })
  // Closed form: without weighting, the sum of three batch means would be about 3× too large.
  let unweighted = SoftmaxCrossEntropy(labelSmoothing: smoothing).lossAndGradient(
    logits: Matrix(rows: 2, cols: 3, storage: [1, 2, 3, 3, 2, 1]), labels: [0, 2], gradientScale: 0.25)
  let reference = SoftmaxCrossEntropy(labelSmoothing: smoothing).lossAndGradient(
    logits: Matrix(rows: 2, cols: 3, storage: [1, 2, 3, 3, 2, 1]), labels: [0, 2])
  for (scaled, plain) in zip(unweighted.gradient.storage, reference.gradient.storage) {
    #expect(abs(scaled - plain * 0.25) <= 1e-7)
  }
  #expect(unweighted.loss == reference.loss)
}

/// Final weights of a run and its per-epoch train losses.
private func trainedRun(_ overrides: [String]) throws -> (RunSummary, [NamedTensor], [Double]) {
  let hp = try settings(
    ["train_samples=64", "epochs=3", "warmup_epochs=0", "dropout=0", "early_stopping_patience=0"]
      + overrides)
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: nil)
  let summary = trainer.runOnThisThread()
  let losses = trainer.drainEvents().compactMap { event -> Double? in
    if case .epoch(let metrics) = event, metrics.epoch > 0 { return metrics.trainLoss }
    return nil
  }
  return (summary, trainer.finalModelWeights(), losses)
}

@Test func accumulatingThreeBatchesOfEightTrainsLikeBatchesOfTwentyFour() throws {
  // 64 samples: steps of 24, 24 and 16 samples each epoch either way.
  let (accumulated, accumulatedWeights, accumulatedLosses) = try trainedRun([
    "batch_size=8", "grad_accum_steps=3",
  ])
  let (big, bigWeights, bigLosses) = try trainedRun(["batch_size=24"])
  #expect(accumulated.status == .completed && big.status == .completed)
  #expect(accumulated.steps == 9 && big.steps == 9)
  let single = try trainedRun(["batch_size=8"])
  #expect(single.0.steps == 24)
  for (a, b) in zip(accumulatedWeights, bigWeights) {
    #expect(a.name == b.name)
    let error = GradientCheck.relativeError(a.values, b.values.map(Double.init))
    #expect(error < 1e-4, "\(a.name): relative difference \(error)")
  }
  // Unaccumulated batches of 8 take other steps: the comparison above is not trivially true.
  let differs = zip(single.1, bigWeights).contains {
    GradientCheck.relativeError($0.values, $1.values.map(Double.init)) > 1e-3
  }
  #expect(differs)
  for (a, b) in zip(accumulatedLosses, bigLosses) { #expect(abs(a - b) < 1e-5) }
}

@Test func gradAccumStepsIsRangeChecked() throws {
  var zero = HyperParameters()
  zero.gradAccumSteps = 0
  #expect(
    throws: ConfigError(
      key: "grad_accum_steps", message: "grad_accum_steps must be an integer in 1…1024, got 0")
  ) { try zero.validate() }
  #expect(throws: ConfigError.self) { try settings(["grad_accum_steps=2000"]) }
  #expect(HyperParameters().gradAccumSteps == 1)
  #expect(try settings(["batch_size=8", "grad_accum_steps=4"]).stepsPerEpoch(trainSamples: 70) == 3)
  #expect(HyperParameters().yaml().contains("grad_accum_steps: 1"))
}
