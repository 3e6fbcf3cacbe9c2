import Foundation

/// Picks the values of a new trial, given the trials finished so far (in the order they finished).
public protocol TrialSampler: Sendable {
  func sample(trial: Int, space: SearchSpace, finished: [FinishedTrial]) -> [SampledValue]
}

/// A finished trial as a sampler learns from it: what it tried and how well that went (lower is better).
public struct FinishedTrial: Sendable, Equatable {
  public var assignment: [SampledValue]
  /// Best validation loss; +∞ for a trial that diverged or could not run, so it ranks last.
  public var objective: Double

  public init(assignment: [SampledValue], objective: Double) {
    self.assignment = assignment
    self.objective = objective
  }
}

/// The samplers `tunetop search --sampler` offers.
public enum SamplerKind: String, Sendable, CaseIterable {
  case random, tpe
}

extension SplitMix64 {
  /// The generator of trial `trial` of a search seeded with `seed`: independent of which worker
  /// runs the trial or when, so the same seed gives the same trials at any `--parallel`.
  static func forTrial(_ trial: Int, seed: Int) -> SplitMix64 {
    var mixer = SplitMix64(seed: UInt64(bitPattern: Int64(seed)) ^ (UInt64(trial) &* 0xD1B5_4A32_D192_ED03))
    return SplitMix64(seed: mixer.next())
  }
}

extension SearchDimension {
  /// A uniform draw: log-uniform for a log range, one choice with equal odds.
  func randomValue(using rng: inout SplitMix64) -> SampledValue {
    switch domain {
    case .range(let low, let high, let log):
      let u = rng.nextUnitDouble()
      let value =
        log
        ? Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low)))
        : low + u * (high - low)
      return .number(rounded(value))
    case .choices(let values):
      return .choice(Int(rng.next() % UInt64(values.count)))
    case .fixed:
      return .choice(0)
    }
  }

  /// Integer keys get integers; reals keep three significant digits, so the value in the run's
  /// config, its name and the report is the value trained with. Clamped into the range after rounding.
  func rounded(_ value: Double) -> Double {
    guard case .range(let low, let high, _) = domain else { return value }
    if case .count = key.kind { return min(max(value.rounded(), low.rounded(.up)), high.rounded(.down)) }
    guard value != 0, value.isFinite else { return value }
    let scale = pow(10, 2 - floor(log10(abs(value))))
    return min(max((value * scale).rounded() / scale, low), high)
  }
}
