/// What the dashboard needs to know about the prepared model and data, before or during a run.
public struct ModelInfo: Equatable, Sendable {
  /// The model's kind (`mlp`, `bert`), which decides the settings the form shows.
  public var kind: String?
  /// Layer groups from the input side up to `head`.
  public var groups: [String]
  public var parameterCounts: [String: Int]
  /// Samples actually available for training (the built-in task caps `train_samples`).
  public var trainSamples: Int
  public var validationSamples: Int

  public init(
    groups: [String], parameterCounts: [String: Int], trainSamples: Int, validationSamples: Int,
    kind: String? = nil
  ) {
    self.kind = kind
    self.groups = groups
    self.parameterCounts = parameterCounts
    self.trainSamples = trainSamples
    self.validationSamples = validationSamples
  }

  /// Optimizer steps per epoch for a batch size: ceil(train samples / batch size).
  public func stepsPerEpoch(batchSize: Int) -> Int {
    max(1, (trainSamples + max(1, batchSize) - 1) / max(1, batchSize))
  }

  /// The LR multiplier of a group under layer-wise LR decay: the head 1, the group below d, then d², …
  public func learningRateMultiplier(of group: String, decay: Double) -> Double {
    guard let index = groups.firstIndex(of: group) else { return 1 }
    var multiplier = 1.0
    for _ in 0..<(groups.count - 1 - index) { multiplier *= decay }
    return multiplier
  }
}
