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
  kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
  alpha: Float, beta: Float, mr: Int, nr: Int
) {
  var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
  var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
  var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
  var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
  var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
  var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
  var ap = a
  var bp = UnsafeRawPointer(b)
  for _ in 0..<kc {
    let b0 = bp.loadUnaligned(as: SIMD8<Float>.self)
    let b1 = bp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
    var x = SIMD8(repeating: ap[0])
    c00 = multiplyAdd(x, b0, c00)
    c01 = multiplyAdd(x, b1, c01)
    x = SIMD8(repeating: ap[1])
    c10 = multiplyAdd(x, b0, c10)
    c11 = multiplyAdd(x, b1, c11)
    x = SIMD8(repeating: ap[2])
    c20 = multiplyAdd(x, b0, c20)
    c21 = multiplyAdd(x, b1, c21)
    x = SIMD8(repeating: ap[3])
    c30 = multiplyAdd(x, b0, c30)
    c31 = multiplyAdd(x, b1, c31)
    x = SIMD8(repeating: ap[4])
    c40 = multiplyAdd(x, b0, c40)
    c41 = multiplyAdd(x, b1, c41)
    x = SIMD8(repeating: ap[5])
    c50 = multiplyAdd(x, b0, c50)
    c51 = multiplyAdd(x, b1, c51)
    ap += 6
    bp += 64
  }
  let rows = [(c00, c01), (c10, c11), (c20, c21), (c30, c31), (c40, c41), (c50, c51)]
  for i in 0..<mr {
    let lo = rows[i].0 * alpha
    let hi = rows[i].1 * alpha
    let row = c + i * ldc
    for j in 0..<nr {
      let value = j < 8 ? lo[j] : hi[j - 8]
      // beta 0 must not read C, which may hold NaN.
      row[j] = beta == 0 ? value : value + beta * row[j]
    }
  }
}
