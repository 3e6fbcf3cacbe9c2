import Foundation
import CKernels
import Synchronization

/// Whether the training kernels may use the worker thread (default true): half of a large product
/// under `.automatic` threading, and part 1 of every `TwoThreads` pass. Benchmarks turn it off to
/// measure one thread; it does not affect `.two`.
public func setGEMMAllowsSecondThread(_ allowed: Bool) {
  gemmAllowsSecondThread.store(allowed, ordering: .relaxed)
}

let gemmAllowsSecondThread = Atomic<Bool>(true)

/// How many threads (1 or 2) the training kernels may use: the worker thread takes half of large
/// products and of the step's other passes. Benchmarks set 1 to compare with a one-thread peer.
public func setTrainingThreads(_ threads: Int) {
  precondition(threads == 1 || threads == 2, "training threads must be 1 or 2, got \(threads)")
  setGEMMAllowsSecondThread(threads == 2)
}

/// How many threads one `gemm` call may use.
public enum GEMMThreading: Sendable {
  /// Two threads only for products of at least `GEMMTuning.parallelThreshold` multiply-adds, where
  /// the hand-off cost is negligible; training-sized products stay on the calling thread because
  /// the dashboard shares the machine.
  case automatic
  /// Always the calling thread alone.
  case single
  /// The calling thread and the shared worker whenever the worker is free, whatever the size
  /// (benchmarks and tests use it to exercise the split on any shape).
  case two
}

/// The one matrix-multiply entry point of the engine: C = alpha·op(A)·op(B) + beta·C, row-major.
///
/// `op(X)` is X or Xᵀ. A is m×k after `op`, B is k×n after `op`, C is m×n. Leading dimensions are
/// the row strides of the matrices as stored. Every layer funnels through here so that a faster
/// kernel can replace this one in a single place. beta 0 overwrites C without reading it (NaN in C
/// does not propagate); k 0 or alpha 0 only scales C by beta.
/// `threading` says whether a large product may use a second thread.
public func gemm(
  transposeA: Bool, transposeB: Bool,
  m: Int, n: Int, k: Int,
  alpha: Float,
  a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float,
  c: UnsafeMutablePointer<Float>, ldc: Int,
  threading: GEMMThreading = .automatic
) {
  gemm(
    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
    threading: threading, kernel: .automatic)
}

/// The micro-kernel in use on this machine, for logs and benchmark output.
public var gemmKernelDescription: String {
  switch GEMMKernel.automatic.resolved {
  case .avx512: GEMMKernel.usesWideTiles ? "avx512-6x32" : "avx512-6x16"
  case .avx2: "avx2-fma-6x16"
  default: "portable-6x16"
  }
}

/// Which micro-kernel a call uses; tests force `.portable` (and `.avx2` on AVX-512 machines) to
/// cover the fallbacks.
enum GEMMKernel: Sendable {
  case automatic, portable, avx2, avx512

  /// cpuid runs once; the answer cannot change while the process lives.
  static let hostHasAVX2FMA = tt_cpu_has_avx2_fma() != 0
  /// AVX-512 doubles the width of every FMA: the 6×16 tile is six ZMM rows (same packing).
  static let hostHasAVX512 = tt_cpu_has_avx512f() != 0
  /// The AVX-512 path sweeps two B slivers per call (a 6×32 tile) where two are left; 6×16 covers
  /// the last odd sliver. `TUNETOP_GEMM_TILE=6x16` keeps the narrow tile, to compare the two.
  static let usesWideTiles = ProcessInfo.processInfo.environment["TUNETOP_GEMM_TILE"] != "6x16"

  var resolved: GEMMKernel {
    switch self {
    case .automatic:
      return GEMMKernel.hostHasAVX512 ? .avx512 : GEMMKernel.hostHasAVX2FMA ? .avx2 : .portable
    case .avx512:
      precondition(GEMMKernel.hostHasAVX512, "AVX-512 kernel requested on a CPU without it")
      return .avx512
    case .avx2:
      precondition(GEMMKernel.hostHasAVX2FMA, "AVX2+FMA kernel requested on a CPU without it")
      return .avx2
    case .portable: return .portable
    }
  }
}

/// Block sizes and thresholds of the blocked GEMM.
enum GEMMTuning {
  static let mr = Int(TT_MR)
  static let nr = Int(TT_NR)
  /// Rows of A packed at once: an MC×KC block (144 KB) stays in the 512 KB-1 MB L2.
  static let mc = 144
  /// Depth of one pass: a KC×NR sliver of B (16 KB) stays in L1 while the A slivers stream past.
  static let kc = ProcessInfo.processInfo.environment["TUNETOP_GEMM_KC"].flatMap { Int($0) } ?? 256
  /// Packed B blocks of at most this many floats (16 KB, half of L1) are swept A-sliver-major.
  static let l1PanelFloats = 4096
  /// Columns of B packed at once; bounded so the packed block stays in L3.
  static let nc = 4080
  /// Below this many multiply-adds packing costs more than it saves; the plain loop runs instead.
  static let naiveThreshold = 4096
  /// 2^24 multiply-adds take ~0.3 ms on one core, so waking the worker (~10 µs) is cheap in comparison.
  static let parallelThreshold = 1 << 24

  /// A is read in place (no packing) while it is at most 2^16 floats (256 KB, within L2): packing
  /// it would cost as much as the few NR-wide column sweeps that reuse it in training shapes.
  /// Larger A is packed so the kernel streams it contiguously instead of from cache-set-conflicting
  /// rows. Transposed A (dW += dYᵀ·X) is always packed: read in place, one sliver step is a row of
  /// the stored A, so a sliver's KC steps sit lda floats apart, which for lda 256 folds them onto
  /// 4 of L1's 64 sets and evicts the sliver before its next use. With the AVX2 packer this
  /// measured ~3% faster at 256×64×64, beta 1 (interleaved, thread CPU time vs OpenBLAS: median
  /// 0.93 against 0.90); the scalar packer had measured slower than reading in place.
  static func packsA(m: Int, k: Int, transposeA: Bool) -> Bool { transposeA || m * k > 1 << 16 }

}

func gemm(
  transposeA: Bool, transposeB: Bool,
  m: Int, n: Int, k: Int,
  alpha: Float,
  a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float,
  c: UnsafeMutablePointer<Float>, ldc: Int,
  columnBias: UnsafePointer<Float>? = nil,
  threading: GEMMThreading, kernel: GEMMKernel
) {
  precondition(m >= 0 && n >= 0 && k >= 0, "negative gemm shape \(m)×\(n)×\(k)")
  precondition(columnBias == nil || beta == 0, "a column bias is added only when beta is 0")
  if m == 0 || n == 0 { return }
  if k == 0 || alpha == 0 {
    scale(m: m, n: n, c: c, ldc: ldc, by: beta)
    if let columnBias {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] += columnBias[j] } }
    }
    return
  }
  let problem = GEMMProblem(
    transposeA: transposeA, transposeB: transposeB, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
    beta: beta, c: c, ldc: ldc, columnBias: columnBias)
  if m * n * k < GEMMTuning.naiveThreshold {
    naiveGEMM(problem, m: m, n: n, k: k)
    return
  }
  let resolved = kernel.resolved
  let wantsTwo: Bool
  switch threading {
  case .automatic:
    wantsTwo = m * n * k >= GEMMTuning.parallelThreshold && gemmAllowsSecondThread.load(ordering: .relaxed)
  case .single: wantsTwo = false
  case .two: wantsTwo = true
  }
  if wantsTwo, let halves = problem.split(m: m, n: n),
    WorkerThread.shared.post(
      WorkerThread.Product(
        problem: halves.second, m: halves.secondM, n: halves.secondN, k: k, kernel: resolved))
  {
    halves.first.run(m: halves.firstM, n: halves.firstN, k: k, kernel: resolved)
    WorkerThread.shared.waitForWorker()
    return
  }
  problem.run(m: m, n: n, k: k, kernel: resolved)
}

/// C = beta·C, writing zeros (not beta·NaN) when beta is 0.
func scale(m: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int, by beta: Float) {
  if beta == 1 { return }
  for i in 0..<m {
    let row = c + i * ldc
    if beta == 0 {
      row.update(repeating: 0, count: n)
    } else {
      for j in 0..<n { row[j] *= beta }
    }
  }
}

/// The plain triple loop, for products too small to repay packing.
func naiveGEMM(_ p: GEMMProblem, m: Int, n: Int, k: Int) {
  let (a, b, c, lda, ldb, ldc) = (p.a, p.b, p.c, p.lda, p.ldb, p.ldc)
  for i in 0..<m {
    let row = c + i * ldc
    for j in 0..<n {
      var sum: Float = 0
      switch (p.transposeA, p.transposeB) {
      case (false, false): for q in 0..<k { sum += a[i * lda + q] * b[q * ldb + j] }
      case (false, true): for q in 0..<k { sum += a[i * lda + q] * b[j * ldb + q] }
      case (true, false): for q in 0..<k { sum += a[q * lda + i] * b[q * ldb + j] }
      case (true, true): for q in 0..<k { sum += a[q * lda + i] * b[j * ldb + q] }
      }
      row[j] = p.beta == 0 ? p.alpha * sum : p.alpha * sum + p.beta * row[j]
      if let bias = p.columnBias { row[j] += bias[j] }
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
