import Testing

@testable import Training

/// A strided row-major operand with a sentinel in the padding, so writes outside the logical
/// matrix are caught.
private struct Strided {
  var rows: Int
  var cols: Int
  var ld: Int
  var storage: [Float]

  static let sentinel: Float = -12345

  init(rows: Int, cols: Int, padding: Int, rng: inout SplitMix64) {
    self.rows = rows
    self.cols = cols
    ld = cols + padding
    storage = [Float](repeating: Strided.sentinel, count: max(1, rows * ld))
    for i in 0..<rows {
      for j in 0..<cols { storage[i * ld + j] = rng.nextGaussian() }
    }
  }

  subscript(i: Int, j: Int) -> Float {
    get { storage[i * ld + j] }
    set { storage[i * ld + j] = newValue }
  }
}

/// The reference: the textbook definition, accumulated in Double.
private func referenceGEMM(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: Strided, b: Strided,
  beta: Float, c: Strided
) -> (values: [Double], magnitudes: [Double]) {
  var values = [Double](repeating: 0, count: m * n)
  var magnitudes = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      var magnitude = 0.0
      for p in 0..<k {
        let x = Double(transposeA ? a[p, i] : a[i, p])
        let y = Double(transposeB ? b[j, p] : b[p, j])
        sum += x * y
        magnitude += abs(x * y)
      }
      let old = beta == 0 ? 0 : Double(beta) * Double(c[i, j])
      values[i * n + j] = Double(alpha) * sum + old
      magnitudes[i * n + j] = abs(Double(alpha)) * magnitude + abs(old)
    }
  }
  return (values, magnitudes)
}

/// Runs one product through `gemm` and checks every element and the untouched padding of C.
private func check(
  m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float,
  padding: Int, nanInC: Bool, threading: GEMMThreading, kernel: GEMMKernel, rng: inout SplitMix64
) {
  let a = Strided(rows: transposeA ? k : m, cols: transposeA ? m : k, padding: padding, rng: &rng)
  let b = Strided(rows: transposeB ? n : k, cols: transposeB ? k : n, padding: padding, rng: &rng)
  var c = Strided(rows: m, cols: n, padding: padding, rng: &rng)
  if nanInC {
    for i in 0..<m {
      for j in 0..<n { c[i, j] = .nan }
    }
  }
  let expected = referenceGEMM(
    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, b: b,
    beta: beta, c: c)
  a.storage.withUnsafeBufferPointer { pa in
    b.storage.withUnsafeBufferPointer { pb in
      c.storage.withUnsafeMutableBufferPointer { pc in
        gemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
          a: pa.baseAddress!, lda: a.ld, b: pb.baseAddress!, ldb: b.ld, beta: beta,
          c: pc.baseAddress!, ldc: c.ld, threading: threading, kernel: kernel)
      }
    }
  }
  var firstBad: String?
  for i in 0..<m {
    for j in 0..<n {
      let got = Double(c[i, j])
      let error = abs(got - expected.values[i * n + j])
      let tolerance = 1e-5 * expected.magnitudes[i * n + j] + 1e-6
      if !(error <= tolerance) && firstBad == nil {
        firstBad = "C[\(i),\(j)] = \(got), expected \(expected.values[i * n + j])"
      }
    }
    for j in n..<c.ld where i * c.ld + j < c.storage.count {
      #expect(c.storage[i * c.ld + j] == Strided.sentinel, "padding of C row \(i) was written")
    }
  }
  #expect(
    firstBad == nil,
    "\(m)×\(n)×\(k) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta) ld+\(padding) \(kernel) \(threading): \(firstBad ?? "")"
  )
}

private let kernels: [GEMMKernel] =
  GEMMKernel.hostHasAVX2FMA ? [.portable, .avx2] + (GEMMKernel.hostHasAVX512 ? [.avx512] : []) : [.portable]

/// The fallback, the best kernel of this host, and AVX2 when AVX-512 would otherwise hide it.
private let kernelsUnderTest: [GEMMKernel] =
  [.portable, .automatic] + (GEMMKernel.hostHasAVX512 ? [.avx2] : [])

@Test(arguments: kernelsUnderTest)
func gemmMatchesReferenceOnEdgeShapes(kernel: GEMMKernel) {
  var rng = SplitMix64(seed: 11)
  // 1×1×1 and 7×13×5 take the small-product loop; the rest cross MR/NR tile edges, and 150×…×300
  // crosses the MC and KC block edges.
  let shapes = [(1, 1, 1), (7, 13, 5), (17, 16, 16), (65, 129, 33), (150, 37, 300)]
  for (m, n, k) in shapes {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        for (alpha, beta, nan) in [(Float(1), Float(0), true), (1, 1, false), (0.5, -2, false)] {
          check(
            m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: alpha,
            beta: beta, padding: 0, nanInC: nan, threading: .single, kernel: kernel, rng: &rng)
        }
      }
    }
  }
}

@Test(arguments: kernelsUnderTest)
func gemmHonoursStridedLeadingDimensions(kernel: GEMMKernel) {
  var rng = SplitMix64(seed: 12)
  for (m, n, k) in [(7, 13, 5), (65, 129, 33), (20, 40, 70)] {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        check(
          m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 1.5, beta: 0.25,
          padding: 5, nanInC: false, threading: .single, kernel: kernel, rng: &rng)
      }
    }
  }
}

@Test(arguments: kernelsUnderTest)
func gemmTrainingSizedProductsMatchReference(kernel: GEMMKernel) {
  var rng = SplitMix64(seed: 13)
  // 260×24×260 and 270×20×254 have an A above GEMMTuning's in-place limit, so they cover the
  // packed-A path (as does every transposed A), whose AVX2 loop runs k four steps at a time: 254
  // leaves a remainder of 2, and 260 is a full 256-deep block followed by a 4-deep one. 128×256×64
  // not transposed covers A read in place. 256×64×64 (the Dense dW shape) and 100×40×50 have a
  // packed B block that fits GEMMTuning.l1PanelFloats, so they take the A-sliver-major sweep with
  // per-sliver packing, ending in a 4-row tile (full-width, then narrow).
  #expect(64 * 64 <= GEMMTuning.l1PanelFloats && 40 * 50 <= GEMMTuning.l1PanelFloats)
  #expect(GEMMTuning.packsA(m: 270, k: 254, transposeA: false))
  #expect(GEMMTuning.packsA(m: 128, k: 64, transposeA: true))
  #expect(!GEMMTuning.packsA(m: 128, k: 64, transposeA: false))
  for (m, n, k) in [(128, 256, 64), (260, 24, 260), (270, 20, 254), (256, 64, 64), (100, 40, 50)] {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        check(
          m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 1,
          padding: 0, nanInC: false, threading: .automatic, kernel: kernel, rng: &rng)
      }
    }
  }
}

@Test(arguments: kernelsUnderTest)
func gemmSplitOverTwoThreadsMatchesReference(kernel: GEMMKernel) {
  var rng = SplitMix64(seed: 14)
  // Wide (N split), tall (M split) and too narrow to split at all.
  for (m, n, k) in [(33, 100, 40), (100, 20, 40), (8, 9, 70)] {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        check(
          m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0,
          padding: 3, nanInC: true, threading: .two, kernel: kernel, rng: &rng)
      }
    }
  }
}

@Test func gemmWithEmptyInnerDimensionOnlyScalesC() {
  var c: [Float] = [.nan, 2, 3, 4]
  let a: [Float] = [1]
  let b: [Float] = [1]
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        gemm(
          transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: pa.baseAddress!,
          lda: 1, b: pb.baseAddress!, ldb: 2, beta: 0, c: pc.baseAddress!, ldc: 2)
      }
    }
  }
  #expect(c == [0, 0, 0, 0])
  c = [1, 2, 3, 4]
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        gemm(
          transposeA: false, transposeB: false, m: 2, n: 2, k: 0, alpha: 1, a: pa.baseAddress!,
          lda: 1, b: pb.baseAddress!, ldb: 2, beta: 2, c: pc.baseAddress!, ldc: 2)
      }
    }
  }
  #expect(c == [2, 4, 6, 8])
}

@Test func gemmPortableAndAVX2KernelsAgreeOnRandomShapes() {
  var rng = SplitMix64(seed: 15)
  for _ in 0..<12 {
    let m = 1 + Int(rng.next() % 70)
    let n = 1 + Int(rng.next() % 70)
    let k = 1 + Int(rng.next() % 70)
    let transposeA = rng.next() % 2 == 0
    let transposeB = rng.next() % 2 == 0
    for kernel in kernels {
      check(
        m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: -1, beta: 1,
        padding: Int(rng.next() % 4), nanInC: false, threading: .single, kernel: kernel, rng: &rng)
    }
  }
}

@Test(arguments: kernelsUnderTest)
func gemmAddsAColumnBiasInItsStore(kernel: GEMMKernel) {
  var rng = SplitMix64(seed: 19)
  // The small-product loop, edge tiles of both widths, a k past one KC slice, and a split over
  // two threads (N and M halves).
  let cases: [(Int, Int, Int, GEMMThreading)] = [
    (3, 5, 4, .single), (13, 48, 40, .single), (20, 40, 300, .single), (7, 17, 9, .single),
    (64, 96, 32, .two),
    (70, 20, 33, .two),
  ]
  for (m, n, k, threading) in cases {
    let a = (0..<(m * k)).map { _ in rng.nextGaussian() }
    let b = (0..<(n * k)).map { _ in rng.nextGaussian() }
    let bias = (0..<n).map { _ in rng.nextGaussian() }
    var fused = [Float](repeating: .nan, count: m * n)
    var plain = [Float](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        bias.withUnsafeBufferPointer { bias in
          fused.withUnsafeMutableBufferPointer { c in
            gemm(
              transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: k,
              b: b.baseAddress!, ldb: k, beta: 0, c: c.baseAddress!, ldc: n, columnBias: bias.baseAddress!,
              threading: threading, kernel: kernel)
          }
          plain.withUnsafeMutableBufferPointer { c in
            gemm(
              transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 0.5, a: a.baseAddress!, lda: k,
              b: b.baseAddress!, ldb: k, beta: 0, c: c.baseAddress!, ldc: n, threading: .single,
              kernel: .portable)
          }
        }
      }
    }
    let expected = plain.enumerated().map { $0.element + bias[$0.offset % n] }
    let worst = zip(fused, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(worst < 1e-4, "\(m)×\(n)×\(k) \(kernel): off by \(worst)")
  }
}
