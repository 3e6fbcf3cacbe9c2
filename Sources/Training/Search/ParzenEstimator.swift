import Foundation

/// A mixture of Gaussians truncated to [lower, upper], one per observation plus a broad prior at
/// the middle, as in the original TPE: each bandwidth is the larger gap to its sorted neighbours,
/// kept between (upper − lower)/min(100, n + 1) and upper − lower.
struct ParzenEstimator {
  let means: [Double]
  let sigmas: [Double]
  let weights: [Double]
  let lower: Double
  let upper: Double

  init(observations: [Double], lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
    let span = max(upper - lower, 1e-12)
    let prior = (lower + upper) / 2
    let points = (observations + [prior]).sorted()
    let smallest = span / Double(min(100, points.count + 1))
    var sigmas: [Double] = []
    for (index, point) in points.enumerated() {
      let left = point - (index > 0 ? points[index - 1] : lower)
      let right = (index + 1 < points.count ? points[index + 1] : upper) - point
      sigmas.append(min(max(left, right, smallest), span))
    }
    // The prior keeps the full span as its width, whatever its neighbours are.
    if let priorIndex = points.firstIndex(of: prior) { sigmas[priorIndex] = span }
    means = points
    self.sigmas = sigmas
    let weight = 1 / Double(points.count)
    weights = [Double](repeating: weight, count: points.count)
  }

  func sample(using rng: inout SplitMix64) -> Double {
    var u = rng.nextUnitDouble()
    var component = means.count - 1
    for (index, weight) in weights.enumerated() {
      if u < weight {
        component = index
        break
      }
      u -= weight
    }
    for _ in 0..<100 {
      let x = means[component] + sigmas[component] * rng.nextGaussianDouble()
      if x >= lower && x <= upper { return x }
    }
    return min(max(means[component], lower), upper)
  }

  func logDensity(_ x: Double) -> Double {
    var total = 0.0
    for index in means.indices {
      let mean = means[index]
      let sigma = sigmas[index]
      let mass = normalCDF((upper - mean) / sigma) - normalCDF((lower - mean) / sigma)
      let z = (x - mean) / sigma
      total += weights[index] * exp(-0.5 * z * z) / (sigma * (2 * Double.pi).squareRoot() * max(mass, 1e-12))
    }
    return log(max(total, 1e-300))
  }

  private func normalCDF(_ z: Double) -> Double { 0.5 * (1 + erf(z / 2.0.squareRoot())) }
}
