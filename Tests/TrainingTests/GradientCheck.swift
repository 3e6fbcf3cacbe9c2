import Testing

@testable import Training

/// Helpers for central-difference gradient checks shared by the layer, loss and model tests.
enum GradientCheck {
  static func randomMatrix(rows: Int, cols: Int, rng: inout SplitMix64, scale: Float = 1) -> Matrix {
    Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.nextGaussian() * scale })
  }

  /// Σ a·w in `Double`: a scalar objective whose gradient with respect to `a` is `w`.
  static func weightedSum(_ a: Matrix, _ w: Matrix) -> Double {
    precondition(a.count == w.count)
    var sum: Double = 0
    for i in 0..<a.count { sum += Double(a.storage[i]) * Double(w.storage[i]) }
    return sum
  }

  /// Central differences of `objective` with respect to `count` values read and written through
  /// `get`/`set`. The step actually taken (after Float rounding) is the denominator.
  static func numeric(
    count: Int, step: Float = 1e-2, get: (Int) -> Float, set: (Int, Float) -> Void,
    objective: () -> Double
  ) -> [Double] {
    (0..<count).map { i in
      let original = get(i)
      let plus = original + step
      let minus = original - step
      set(i, plus)
      let up = objective()
      set(i, minus)
      let down = objective()
      set(i, original)
      return (up - down) / (Double(plus) - Double(minus))
    }
  }

  /// Normwise relative error ‖a - n‖ / max(‖a‖, ‖n‖): small only when every component agrees.
  static func relativeError(_ analytic: [Float], _ numeric: [Double]) -> Double {
    precondition(analytic.count == numeric.count)
    var difference: Double = 0
    var analyticNorm: Double = 0
    var numericNorm: Double = 0
    for (a, n) in zip(analytic, numeric) {
      difference += (Double(a) - n) * (Double(a) - n)
      analyticNorm += Double(a) * Double(a)
      numericNorm += n * n
    }
    let scale = max(analyticNorm, numericNorm).squareRoot()
    return scale == 0 ? 0 : difference.squareRoot() / scale
  }

  /// Expects both a small normwise error and no single component off by more than 1% of the
  /// largest one, so one wrong entry among many cannot hide in the norm.
  static func expectMatch(
    _ analytic: [Float], _ numeric: [Double], tolerance: Double = 1e-3, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let error = relativeError(analytic, numeric)
    #expect(error < tolerance, "\(what): relative error \(error)", sourceLocation: sourceLocation)
    let largest = numeric.map(abs).max() ?? 0
    let worst = zip(analytic, numeric).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(
      worst <= 1e-2 * largest + 1e-6, "\(what): worst component off by \(worst) (largest \(largest))",
      sourceLocation: sourceLocation)
    #expect(
      largest > 0, "\(what): gradient is identically zero, the check proves nothing",
      sourceLocation: sourceLocation)
  }
}
