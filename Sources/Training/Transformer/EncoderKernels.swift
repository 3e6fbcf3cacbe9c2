import CKernels
import Foundation

/// The encoder's elementwise loops (GELU, masked softmax, dropout, LayerNorm, residual adds), each
/// with an AVX-512 C kernel (CKernels/TransformerKernels.c) used where the CPU has AVX-512 F, DQ, BW
/// and VL, and the portable Swift loop it replaces.
///
/// Both paths agree to float rounding (sums in another order; exp and erfc by polynomials within
/// a few units in the last place) and dropout draws the same SplitMix64 stream, so masks and
/// resumed runs do not depend on the path. Tests compare the two.
enum EncoderKernels {
  static let hostHasAVX512 = tt_cpu_has_avx512_transformer() != 0

  static func simd(_ path: Elementwise.Path) -> Bool { path == .automatic && hostHasAVX512 }

  private static let inverseRoot2: Float = 0.707_106_78
  private static let inverseRoot2Pi: Float = 0.398_942_28

  /// y = x·Φ(x), exact GELU; y may be x.
  static func geluForward(
    count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    path: Elementwise.Path = .automatic
  ) {
    TwoThreads.split(count: count, (x, y, path)) { c, r in
      let (x, y, path) = (c.0 + r.lowerBound, c.1 + r.lowerBound, c.2)
      if simd(path) { return tt_gelu_forward_avx512(r.count, x, y) }
      for i in 0..<r.count {
        let v = x[i]
        y[i] = 0.5 * v * (1 + erf(v * inverseRoot2))
      }
    }
  }

  /// dx = dy·(Φ(x) + x·φ(x)); `dx` may be `dy`.
  static func geluBackward(
    count: Int, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, path: Elementwise.Path = .automatic
  ) {
    TwoThreads.split(count: count, (x, dy, dx, path)) { c, r in
      let (x, dy, dx, path) = (c.0 + r.lowerBound, c.1 + r.lowerBound, c.2 + r.lowerBound, c.3)
      if simd(path) { return tt_gelu_backward_avx512(r.count, x, dy, dx) }
      for i in 0..<r.count {
        let v = x[i]
        let cdf = 0.5 * (1 + erf(v * inverseRoot2))
        let pdf = inverseRoot2Pi * exp(-0.5 * v * v)
        dx[i] = dy[i] * (cdf + v * pdf)
      }
    }
  }

  /// Softmax over the first `valid` columns of each row; the rest become exact zeros, as the
  /// additive -∞ mask of Hugging Face makes them.
  static func maskedSoftmax(
    rows: Int, valid: Int, stride: Int, _ s: UnsafeMutablePointer<Float>, path: Elementwise.Path = .automatic
  ) {
    if simd(path) { return tt_masked_softmax_avx512(rows, valid, stride, s) }
    for i in 0..<rows {
      let row = s + i * stride
      softmaxInPlace(row, count: valid)
      for j in valid..<stride { row[j] = 0 }
    }
  }

  /// Inverted dropout of `count` values drawn from `rng` (one draw per value, in order): the keep
  /// mask into `mask`, y = keep ? x·scale : 0 (y may be x).
  static func dropoutForward(
    count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    mask: UnsafeMutablePointer<UInt8>,
    rng: inout SplitMix64, threshold: UInt64, scale: Float, path: Elementwise.Path = .automatic
  ) {
    let start = rng
    TwoThreads.split(count: count, (x, y, mask, start, threshold, scale, path)) { c, r in
      // The second half starts where the first half's draws leave the stream, so the masks are
      // the ones one pass would draw.
      var generator = c.3.advanced(by: r.lowerBound)
      let (x, y, mask) = (c.0 + r.lowerBound, c.1 + r.lowerBound, c.2 + r.lowerBound)
      let (threshold, scale, path) = (c.4, c.5, c.6)
      if simd(path) {
        _ = tt_dropout_forward_avx512(r.count, x, y, mask, generator.state, threshold, scale)
        return
      }
      for i in 0..<r.count {
        let keep: UInt8 = generator.next() >> 40 >= threshold ? 1 : 0
        mask[i] = keep
        y[i] = keep != 0 ? x[i] * scale : 0
      }
    }
    rng = start.advanced(by: count)
  }

  /// dx = mask ? dy·scale : 0 (dx may be dy).
  static func dropoutApply(
    count: Int, _ dy: UnsafePointer<Float>, mask: UnsafePointer<UInt8>, scale: Float,
    _ dx: UnsafeMutablePointer<Float>, path: Elementwise.Path = .automatic
  ) {
    TwoThreads.split(count: count, (dy, mask, scale, dx, path)) { c, r in
      let (dy, mask, dx) = (c.0 + r.lowerBound, c.1 + r.lowerBound, c.3 + r.lowerBound)
      let (scale, path) = (c.2, c.4)
      if simd(path) { return tt_dropout_apply_avx512(r.count, dy, mask, scale, dx) }
      for i in 0..<r.count { dx[i] = mask[i] != 0 ? dy[i] * scale : 0 }
    }
  }

  /// Softmax backward over the first `valid` values of each row, in place: d = p·(d - Σ d·p).
  static func softmaxBackward(
    rows: Int, valid: Int, stride: Int, probabilities p: UnsafePointer<Float>,
    _ d: UnsafeMutablePointer<Float>,
    path: Elementwise.Path = .automatic
  ) {
    if simd(path) { return tt_softmax_backward_avx512(rows, valid, stride, p, d) }
    for i in 0..<rows {
      let row = d + i * stride
      let pr = p + i * stride
      var dot: Float = 0
      for j in 0..<valid { dot += row[j] * pr[j] }
      for j in 0..<valid { row[j] = pr[j] * (row[j] - dot) }
    }
  }

  /// y += x.
  static func add(
    count: Int, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
    path: Elementwise.Path = .automatic
  ) {
    TwoThreads.split(count: count, (x, y, path)) { c, r in
      let (x, y, path) = (c.0 + r.lowerBound, c.1 + r.lowerBound, c.2)
      if simd(path) { return tt_add_avx512(r.count, x, y) }
      for i in 0..<r.count { y[i] += x[i] }
    }
  }

  /// LayerNorm forward over rows of `features`: x̂ = (x - μ)·rstd, y = γ·x̂ + β; x̂ may be x.
  static func layerNormForward(
    rows: Int, features n: Int, _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>,
    epsilon: Float, normalized xhat: UnsafeMutablePointer<Float>,
    reciprocalStd rstd: UnsafeMutablePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, path: Elementwise.Path = .automatic
  ) {
    // Rows are independent: each thread normalises half of them.
    let context = (
      rows: rows, n: n, x: x, gamma: gamma, beta: beta, epsilon: epsilon, xhat: xhat, rstd: rstd, y: y
    )
    TwoThreads.run(if: rows * n >= TwoThreads.minimumElements, (context, path)) { c, part in
      let (p, path) = c
      let r = TwoThreads.range(part, of: p.rows, alignment: 1)
      let n = p.n
      layerNormForwardRows(
        r.count, n, p.x + r.lowerBound * n, p.gamma, p.beta, p.epsilon, p.xhat + r.lowerBound * n,
        p.rstd + r.lowerBound, p.y + r.lowerBound * n, path: path)
    }
  }

  private static func layerNormForwardRows(
    _ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>,
    _ beta: UnsafePointer<Float>,
    _ epsilon: Float, _ xhat: UnsafeMutablePointer<Float>, _ rstd: UnsafeMutablePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, path: Elementwise.Path
  ) {
    if simd(path) { return tt_layer_norm_forward_avx512(rows, n, x, gamma, beta, epsilon, xhat, rstd, y) }
    for row in 0..<rows {
      let xr = x + row * n
      // Two passes in Double would be slower; Float sums over a few hundred features match
      // PyTorch's float LayerNorm to ~1e-6.
      var sum: Float = 0
      for j in 0..<n { sum += xr[j] }
      let mean = sum / Float(n)
      var squares: Float = 0
      for j in 0..<n {
        let d = xr[j] - mean
        squares += d * d
      }
      let r = 1 / (squares / Float(n) + epsilon).squareRoot()
      rstd[row] = r
      let xh = xhat + row * n
      let yr = y + row * n
      for j in 0..<n {
        let v = (xr[j] - mean) * r
        xh[j] = v
        yr[j] = v * gamma[j] + beta[j]
      }
    }
  }

  /// LayerNorm backward: dγ += Σ dy·x̂, dβ += Σ dy (when given) and
  /// dx = rstd·(dy·γ - mean(dy·γ) - x̂·mean(dy·γ·x̂)); dx may be dy.
  static func layerNormBackward(
    rows: Int, features n: Int, outputGradient dy: UnsafePointer<Float>,
    normalized xhat: UnsafePointer<Float>,
    reciprocalStd rstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
    gainGradient dgamma: UnsafeMutablePointer<Float>?, biasGradient dbeta: UnsafeMutablePointer<Float>?,
    inputGradient dx: UnsafeMutablePointer<Float>, path: Elementwise.Path = .automatic
  ) {
    if simd(path) { return tt_layer_norm_backward_avx512(rows, n, dy, xhat, rstd, gamma, dgamma, dbeta, dx) }
    if let dgamma, let dbeta {
      for row in 0..<rows {
        let g = dy + row * n
        let xh = xhat + row * n
        for j in 0..<n {
          dgamma[j] += g[j] * xh[j]
          dbeta[j] += g[j]
        }
      }
    }
    for row in 0..<rows {
      let g = dy + row * n
      let xh = xhat + row * n
      var meanScaled: Float = 0
      var meanScaledNormalized: Float = 0
      for j in 0..<n {
        let s = g[j] * gamma[j]
        meanScaled += s
        meanScaledNormalized += s * xh[j]
      }
      meanScaled /= Float(n)
      meanScaledNormalized /= Float(n)
      let r = rstd[row]
      let out = dx + row * n
      for j in 0..<n { out[j] = r * (g[j] * gamma[j] - meanScaled - xh[j] * meanScaledNormalized) }
    }
  }
}
