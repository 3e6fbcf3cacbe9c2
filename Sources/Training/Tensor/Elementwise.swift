import CKernels

/// The elementwise work of a training step (activations, optimizer updates, norms), each with an
/// AVX2 C kernel used when the CPU has it (same cpuid check as the GEMM) and a portable loop.
///
/// Swift's own `SIMD8<Float>` cannot be used for this without `-target-cpu`: its `squareRoot()`
/// becomes eight scalar calls and its FMA scalar `fmaf` calls. The C kernels avoid FMA
/// contraction, so apart from `sumOfSquares` (summed in a different order) both paths give
/// bit-identical results; tests compare them.
enum Elementwise {
  /// Which implementation to use; tests set `.portable` to cover the fallback.
  enum Path: Sendable { case automatic, portable, avx2 }

  static func useAVX2(_ path: Path) -> Bool {
    switch path {
    case .automatic: return GEMMKernel.hostHasAVX2FMA
    case .portable: return false
    case .avx2:
      precondition(GEMMKernel.hostHasAVX2FMA, "AVX2 kernel requested on a CPU without it")
      return true
    }
  }

  /// The Adam/AdamW update of `tt_adam_update_avx2` (see CKernels.h for the formula).
  static func adamUpdate(
    count n: Int, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, beta1: Float, beta2: Float, decoupledDecay: Float, coupledDecay: Float,
    stepSize: Float, inverseCorrection2Root: Float, epsilon: Float, path: Path = .automatic
  ) {
    if useAVX2(path) {
      tt_adam_update_avx2(
        n, p, g, m, v, beta1, beta2, decoupledDecay, coupledDecay, stepSize, inverseCorrection2Root, epsilon)
      return
    }
    for i in 0..<n {
      var pi = p[i]
      pi = pi - decoupledDecay * pi
      let gi = g[i] + coupledDecay * pi
      let mi = beta1 * m[i] + (1 - beta1) * gi
      let vi = beta2 * v[i] + (1 - beta2) * gi * gi
      // PyTorch's arrangement: ε is added after scaling √v by 1/√(1 − β2^t).
      let denominator = vi.squareRoot() * inverseCorrection2Root + epsilon
      p[i] = pi - stepSize * mi / denominator
      m[i] = mi
      v[i] = vi
    }
  }

  /// Σ x², accumulated in Double.
  static func sumOfSquares(count n: Int, _ x: UnsafePointer<Float>, path: Path = .automatic) -> Double {
    if useAVX2(path) { return tt_sum_squares_avx2(n, x) }
    var sum: Double = 0
    for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
    return sum
  }

  static func scale(count n: Int, _ x: UnsafeMutablePointer<Float>, by s: Float, path: Path = .automatic) {
    if useAVX2(path) { return tt_scale_avx2(n, x, s) }
    for i in 0..<n { x[i] *= s }
  }

  static func reluForward(
    count n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, path: Path = .automatic
  ) {
    if useAVX2(path) { return tt_relu_forward_avx2(n, x, y) }
    for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
  }

  /// dx = g where the ReLU output y is positive, else 0.
  static func reluBackward(
    count n: Int, output y: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, path: Path = .automatic
  ) {
    if useAVX2(path) { return tt_relu_backward_avx2(n, y, g, dx) }
    for i in 0..<n { dx[i] = y[i] > 0 ? g[i] : 0 }
  }

  static func multiply(
    count n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    path: Path = .automatic
  ) {
    if useAVX2(path) { return tt_multiply_avx2(n, a, b, out) }
    for i in 0..<n { out[i] = a[i] * b[i] }
  }

  /// out[j] += Σ_r g[r·cols + j]: a dense layer's bias gradient.
  static func addColumnSums(
    rows: Int, cols: Int, _ g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
    path: Path = .automatic
  ) {
    if useAVX2(path) { return tt_add_column_sums_avx2(rows, cols, g, out) }
    for j in 0..<cols {
      var sum = out[j]
      for r in 0..<rows { sum += g[r * cols + j] }
      out[j] = sum
    }
  }
}
