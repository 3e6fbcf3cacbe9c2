/// Draws every dimension uniformly (log-uniformly for log ranges); trial n depends only on the seed and n.
public struct RandomSampler: TrialSampler {
  public var seed: Int

  public init(seed: Int) { self.seed = seed }

  public func sample(trial: Int, space: SearchSpace, finished: [FinishedTrial]) -> [SampledValue] {
    var rng = SplitMix64.forTrial(trial, seed: seed)
    return space.dimensions.map { $0.randomValue(using: &rng) }
  }
}
