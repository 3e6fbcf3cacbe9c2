import Testing

@testable import Training

@Test func gemmMatchesNaiveProductForEveryTranspose() {
  var rng = SplitMix64(seed: 7)
  for (m, n, k) in [(1, 1, 1), (3, 5, 4), (7, 2, 9), (16, 33, 8)] {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a = Matrix(
          rows: transposeA ? k : m, cols: transposeA ? m : k,
          storage: (0..<(m * k)).map { _ in rng.nextGaussian() })
        let b = Matrix(
          rows: transposeB ? n : k, cols: transposeB ? k : n,
          storage: (0..<(k * n)).map { _ in rng.nextGaussian() })
        var c = Matrix(rows: m, cols: n, storage: (0..<(m * n)).map { _ in rng.nextGaussian() })
        let c0 = c
        c.multiply(a, transposeA: transposeA, b, transposeB: transposeB, alpha: 0.5, beta: 2)
        for i in 0..<m {
          for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
              let av = transposeA ? a[p, i] : a[i, p]
              let bv = transposeB ? b[j, p] : b[p, j]
              sum += av * bv
            }
            let expected = 0.5 * sum + 2 * c0[i, j]
            #expect(abs(c[i, j] - expected) < 1e-4, "m\(m) n\(n) k\(k) tA\(transposeA) tB\(transposeB)")
          }
        }
      }
    }
  }
}
