/// The portable 6×16 micro-kernel: same packed layout and store rules as the AVX2 C kernel, used on
/// CPUs without AVX2+FMA and on arm64. Twelve SIMD8 accumulators fit arm64's 32 NEON registers.
@inline(__always)
private func multiplyAdd(_ x: SIMD8<Float>, _ y: SIMD8<Float>, _ acc: SIMD8<Float>) -> SIMD8<Float> {
  #if arch(arm64)
    // Every arm64 CPU has vector FMA, so the fused form compiles to fmla.
    return acc.addingProduct(x, y)
  #else
    // The x86-64 baseline has no FMA: addingProduct would become scalar fmaf calls, so multiply
    // and add separately (SSE mulps/addps).
    return acc + x * y
  #endif
}

func portableKernel6x16(
  kc: Int, a: UnsafePointer<Float>, rsa: Int, csa: Int, b: UnsafePointer<Float>, rsb: Int,
  c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, mr: Int, nr: Int
) {
  // Rows past mr repeat the last real row, as in the C kernel: A read in place has no padding.
  let a0 = a
  let a1 = a + min(1, mr - 1) * rsa
  let a2 = a + min(2, mr - 1) * rsa
  let a3 = a + min(3, mr - 1) * rsa
  let a4 = a + min(4, mr - 1) * rsa
  let a5 = a + min(5, mr - 1) * rsa
  var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
  var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
  var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
  var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
  var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
  var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
  var offset = 0
  var bp = UnsafeRawPointer(b)
  let bStep = rsb * MemoryLayout<Float>.stride
  for _ in 0..<kc {
    let b0 = bp.loadUnaligned(as: SIMD8<Float>.self)
    let b1 = bp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
    var x = SIMD8(repeating: a0[offset])
    c00 = multiplyAdd(x, b0, c00)
    c01 = multiplyAdd(x, b1, c01)
    x = SIMD8(repeating: a1[offset])
    c10 = multiplyAdd(x, b0, c10)
    c11 = multiplyAdd(x, b1, c11)
    x = SIMD8(repeating: a2[offset])
    c20 = multiplyAdd(x, b0, c20)
    c21 = multiplyAdd(x, b1, c21)
    x = SIMD8(repeating: a3[offset])
    c30 = multiplyAdd(x, b0, c30)
    c31 = multiplyAdd(x, b1, c31)
    x = SIMD8(repeating: a4[offset])
    c40 = multiplyAdd(x, b0, c40)
    c41 = multiplyAdd(x, b1, c41)
    x = SIMD8(repeating: a5[offset])
    c50 = multiplyAdd(x, b0, c50)
    c51 = multiplyAdd(x, b1, c51)
    offset += csa
    bp += bStep
  }
  storeRow(c, lo: c00, hi: c01, alpha: alpha, beta: beta, nr: nr)
  if mr > 1 { storeRow(c + ldc, lo: c10, hi: c11, alpha: alpha, beta: beta, nr: nr) }
  if mr > 2 { storeRow(c + 2 * ldc, lo: c20, hi: c21, alpha: alpha, beta: beta, nr: nr) }
  if mr > 3 { storeRow(c + 3 * ldc, lo: c30, hi: c31, alpha: alpha, beta: beta, nr: nr) }
  if mr > 4 { storeRow(c + 4 * ldc, lo: c40, hi: c41, alpha: alpha, beta: beta, nr: nr) }
  if mr > 5 { storeRow(c + 5 * ldc, lo: c50, hi: c51, alpha: alpha, beta: beta, nr: nr) }
}

@inline(__always)
private func storeRow(
  _ row: UnsafeMutablePointer<Float>, lo: SIMD8<Float>, hi: SIMD8<Float>, alpha: Float, beta: Float,
  nr: Int
) {
  let lo = lo * alpha
  let hi = hi * alpha
  for j in 0..<nr {
    let value = j < 8 ? lo[j] : hi[j - 8]
    // beta 0 must not read C, which may hold NaN.
    row[j] = beta == 0 ? value : value + beta * row[j]
  }
}
