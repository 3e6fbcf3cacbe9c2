import Foundation

/// The Tree-structured Parzen Estimator (Bergstra et al. 2011), independent per dimension as in
/// Optuna's default: the finished trials are split at the `gamma` quantile of the objective into
/// good and bad; each dimension gets a density l(x) over the good values and g(x) over the bad;
/// of `candidates` draws from l, the one with the largest l(x)/g(x) wins.
///
/// The first `startupTrials` trials are random. Given the same seed and the same completion order,
/// the same trials come out.
public struct TPESampler: TrialSampler {
  public var seed: Int
  public var startupTrials: Int
  public var gamma: Double
  public var candidates: Int

  public init(seed: Int, startupTrials: Int = 10, gamma: Double = 0.25, candidates: Int = 24) {
    self.seed = seed
    self.startupTrials = max(2, startupTrials)
    self.gamma = gamma
    self.candidates = candidates
  }

  public func sample(trial: Int, space: SearchSpace, finished: [FinishedTrial]) -> [SampledValue] {
    guard finished.count >= startupTrials else {
      return RandomSampler(seed: seed).sample(trial: trial, space: space, finished: finished)
    }
    var rng = SplitMix64.forTrial(trial, seed: seed)
    // A stable sort keeps ties in completion order, so the split is reproducible.
    let ranked = finished.enumerated().sorted {
      ($0.element.objective, $0.offset) < ($1.element.objective, $1.offset)
    }.map(\.element)
    let goodCount = min(ranked.count - 1, max(1, Int((gamma * Double(ranked.count)).rounded(.up))))
    let good = ranked.prefix(goodCount)
    let bad = ranked.dropFirst(goodCount)
    return space.dimensions.enumerated().map { index, dimension in
      switch dimension.domain {
      case .fixed:
        return .choice(0)
      case .choices(let values):
        let l = CategoricalEstimator(observations: good.map { $0.assignment[index] }, count: values.count)
        let g = CategoricalEstimator(observations: bad.map { $0.assignment[index] }, count: values.count)
        let draws = (0..<candidates).map { _ in l.sample(using: &rng) }
        return .choice(draws.max { l.weights[$0] / g.weights[$0] < l.weights[$1] / g.weights[$1] }!)
      case .range(let low, let high, let log):
        let transform: (Double) -> Double = log ? { Foundation.log($0) } : { $0 }
        let lower = transform(low)
        let upper = transform(high)
        func coordinates(_ trials: ArraySlice<FinishedTrial>) -> [Double] {
          trials.compactMap {
            guard case .number(let value) = $0.assignment[index] else { return nil }
            return transform(value)
          }
        }
        let l = ParzenEstimator(observations: coordinates(good), lower: lower, upper: upper)
        let g = ParzenEstimator(observations: coordinates(bad), lower: lower, upper: upper)
        let draws = (0..<candidates).map { _ in l.sample(using: &rng) }
        let best = draws.max { l.logDensity($0) - g.logDensity($0) < l.logDensity($1) - g.logDensity($1) }!
        return .number(dimension.rounded(log ? Foundation.exp(best) : best))
      }
    }
  }
}

/// Choice frequencies with one pseudo-count per choice (Optuna's prior weight 1).
struct CategoricalEstimator {
  let weights: [Double]

  init(observations: [SampledValue], count: Int) {
    var counts = [Double](repeating: 1, count: count)
    for case .choice(let index) in observations where counts.indices.contains(index) { counts[index] += 1 }
    let total = counts.reduce(0, +)
    weights = counts.map { $0 / total }
  }

  func sample(using rng: inout SplitMix64) -> Int {
    var u = rng.nextUnitDouble()
    for (index, weight) in weights.enumerated() {
      if u < weight { return index }
      u -= weight
    }
    return weights.count - 1
  }
}
