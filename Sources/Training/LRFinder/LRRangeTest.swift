import Foundation

/// The learning-rate range test of fastai's `lr_find` (after Smith 2015): train for a few steps
/// while the rate rises exponentially, record the loss, and suggest a rate from the curve.
///
/// It starts from the model as it is (base weights and freeze state) and puts everything back
/// afterwards — weights, dropout generators and freezing — so it changes nothing.
public struct LRRangeTest: Sendable, Equatable {
  public var startLearningRate = 1e-7
  public var endLearningRate = 10.0
  public var steps = 100
  /// The test ends once the smoothed loss exceeds this multiple of its minimum.
  public var divergenceFactor = 4.0
  /// Weight of the past in the loss EMA, fastai's `beta`.
  public var smoothing = 0.98

  public init(
    startLearningRate: Double = 1e-7, endLearningRate: Double = 10, steps: Int = 100,
    divergenceFactor: Double = 4, smoothing: Double = 0.98
  ) {
    self.startLearningRate = startLearningRate
    self.endLearningRate = endLearningRate
    self.steps = steps
    self.divergenceFactor = divergenceFactor
    self.smoothing = smoothing
  }

  /// Checks the settings; the message names the option and what is valid.
  public func validate() throws(ConfigError) {
    guard steps >= 10 && steps <= 100_000 else {
      throw ConfigError(key: "steps", message: "steps must be an integer in 10…100000, got \(steps)")
    }
    guard startLearningRate > 0, endLearningRate.isFinite, startLearningRate < endLearningRate else {
      throw ConfigError(
        key: "start_lr",
        message:
          "start_lr must be > 0 and below end_lr, got \(startLearningRate) and \(endLearningRate)")
    }
  }

  /// The rate of step `index` (from 0): fastai's `SchedExp` at position index/steps.
  public func learningRate(at index: Int) -> Double {
    startLearningRate * pow(endLearningRate / startLearningRate, Double(index) / Double(steps))
  }

  /// Runs the test on a prepared run's model and training split; `onPoint` sees each step as it
  /// is recorded (for a live chart).
  public func run(
    _ prepared: PreparedRun, isCancelled: () -> Bool = { false }, onPoint: (LRRangePoint) -> Void = { _ in }
  ) -> LRRangeTestResult {
    run(
      model: prepared.model, data: prepared.train, hyperParameters: prepared.hyperParameters,
      isCancelled: isCancelled, onPoint: onPoint)
  }

  /// Runs the test on `model` with the optimizer, batch size, clipping, label smoothing, layer-wise
  /// LR decay and frozen groups of `hyperParameters`; `isCancelled` is asked before every step.
  public func run(
    model: any FineTunableModel, data: any LabeledSamples, hyperParameters hp: HyperParameters,
    isCancelled: () -> Bool = { false },
    onPoint: (LRRangePoint) -> Void = { _ in }
  ) -> LRRangeTestResult {
    let store = model.store
    let savedValues = store.values
    let savedFrozen = store.frozen
    let savedMultipliers = store.learningRateMultipliers
    let savedDropoutRNGs = model.dropoutRNGStates
    defer {
      store.values = savedValues
      store.zeroGradients()
      for group in model.groupNames { store.setFrozen(savedFrozen.contains(group), group: group) }
      store.learningRateMultipliers = savedMultipliers
      model.dropoutRNGStates = savedDropoutRNGs
    }

    let plan = UnfreezePlan(groups: model.groupNames, frozen: hp.frozen, every: hp.unfreezeEvery)
    let frozenAtStart = plan.frozenGroups(atEpoch: 1)
    for group in model.groupNames { store.setFrozen(frozenAtStart.contains(group), group: group) }
    model.applyLayerLearningRateDecay(hp.layerLRDecay)
    let optimizer = Optimizer(
      kind: hp.optimizer, momentum: Float(hp.momentum), weightDecay: Float(hp.weightDecay), store: store)
    let loss = SoftmaxCrossEntropy(labelSmoothing: Float(hp.labelSmoothing))
    var rng = SplitMix64.sampleOrder(seed: hp.seed)
    var order = Array(0..<data.count)
    var cursor = order.count
    let batchSize = min(hp.batchSize, max(1, data.count))
    var labels: [Int] = []

    var points: [LRRangePoint] = []
    var average = 0.0
    var bestSmoothed = Double.infinity
    var stoppedEarly = false
    for index in 0..<steps where !isCancelled() {
      if cursor + batchSize > order.count {
        rng.shuffle(&order)
        cursor = 0
      }
      let batch = order[cursor..<(cursor + batchSize)]
      data.gatherLabels(batch, into: &labels)
      cursor += batchSize
      let rate = learningRate(at: index)
      store.zeroGradients()
      let logits = model.forward(data, indices: batch, training: true)
      let result = loss.lossAndGradient(logits: logits, labels: labels)
      average = smoothing * average + (1 - smoothing) * result.loss
      let smoothed = average / (1 - pow(smoothing, Double(index + 1)))
      let point = LRRangePoint(learningRate: rate, loss: result.loss, smoothedLoss: smoothed)
      points.append(point)
      onPoint(point)
      if smoothed < bestSmoothed { bestSmoothed = smoothed }
      // fastai records the step that crosses the bound, then stops.
      guard smoothed.isFinite, smoothed <= divergenceFactor * bestSmoothed else {
        stoppedEarly = true
        break
      }
      model.backward(result.gradient)
      _ = clipGradientNorm(store, maxNorm: Float(hp.gradClip))
      optimizer.step(learningRate: Float(rate))
    }

    let considered = ValleyRule.consideredRange(recorded: points.count, plannedSteps: steps)
    var suggestedIndex: Int?
    if let local = ValleyRule.index(losses: points[considered].map(\.smoothedLoss)) {
      suggestedIndex = considered.lowerBound + local
    }
    return LRRangeTestResult(
      points: points, suggestedLearningRate: suggestedIndex.map { points[$0].learningRate },
      suggestedIndex: suggestedIndex, stoppedEarly: stoppedEarly)
  }
}
