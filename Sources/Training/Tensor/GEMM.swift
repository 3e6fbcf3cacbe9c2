/// The one matrix-multiply entry point of the engine: C = alpha·op(A)·op(B) + beta·C, row-major.
///
/// `op(X)` is X or Xᵀ. A is m×k after `op`, B is k×n after `op`, C is m×n. Leading dimensions are
/// the row strides of the matrices as stored. Every layer funnels through here so that a faster
/// kernel can replace this one in a single place.
public func gemm(
  transposeA: Bool, transposeB: Bool,
  m: Int, n: Int, k: Int,
  alpha: Float,
  a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  if m == 0 || n == 0 { return }
  for i in 0..<m {
    let row = c + i * ldc
    if beta == 0 {
      for j in 0..<n { row[j] = 0 }
    } else if beta != 1 {
      for j in 0..<n { row[j] *= beta }
    }
  }
  if k == 0 || alpha == 0 { return }
  switch (transposeA, transposeB) {
  case (false, false):
    // i-p-j order streams rows of B and C contiguously.
    for i in 0..<m {
      let row = c + i * ldc
      for p in 0..<k {
        let scale = alpha * a[i * lda + p]
        if scale == 0 { continue }
        let bRow = b + p * ldb
        for j in 0..<n { row[j] += scale * bRow[j] }
      }
    }
  case (true, false):
    for p in 0..<k {
      let bRow = b + p * ldb
      for i in 0..<m {
        let scale = alpha * a[p * lda + i]
        if scale == 0 { continue }
        let row = c + i * ldc
        for j in 0..<n { row[j] += scale * bRow[j] }
      }
    }
  case (false, true):
    for i in 0..<m {
      let aRow = a + i * lda
      let row = c + i * ldc
      for j in 0..<n {
        let bRow = b + j * ldb
        var sum: Float = 0
        for p in 0..<k { sum += aRow[p] * bRow[p] }
        row[j] += alpha * sum
      }
    }
  case (true, true):
    for i in 0..<m {
      let row = c + i * ldc
      for j in 0..<n {
        let bRow = b + j * ldb
        var sum: Float = 0
        for p in 0..<k { sum += a[p * lda + i] * bRow[p] }
        row[j] += alpha * sum
      }
    }
  }
}

extension Matrix {
  /// `self = alpha·op(a)·op(b) + beta·self`, reshaping `self` to the product's shape when beta is 0.
  public mutating func multiply(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0
  ) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let kB = transposeB ? b.cols : b.rows
    let n = transposeB ? b.rows : b.cols
    precondition(k == kB, "gemm inner dimensions differ: \(k) vs \(kB)")
    if beta == 0 {
      reshape(rows: m, cols: n)
    } else {
      precondition(rows == m && cols == n, "gemm accumulator is \(rows)×\(cols), product is \(m)×\(n)")
    }
    if m == 0 || n == 0 { return }
    if k == 0 {
      for index in storage.indices { storage[index] *= beta }
      return
    }
    let ldc = n
    a.storage.withUnsafeBufferPointer { pa in
      b.storage.withUnsafeBufferPointer { pb in
        storage.withUnsafeMutableBufferPointer { pc in
          gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: pa.baseAddress!, lda: a.cols, b: pb.baseAddress!, ldb: b.cols,
            beta: beta, c: pc.baseAddress!, ldc: ldc)
        }
      }
    }
  }
}
