// tunetop-bench: throughput benchmarks that print one JSON object per line.
//
//   swift run -c release tunetop-bench gemm
//   swift run -c release tunetop-bench train [--quick]
//   swift run -c release tunetop-bench alloc
//   swift run -c release tunetop-bench runs [--count N]
//   swift run -c release tunetop-bench search [--trials N]
//   swift run -c release tunetop-bench memory
//   swift run -c release tunetop-bench dashboard
//   swift run -c release tunetop-bench tokenize --model DIR --corpus FILE
//   swift run -c release tunetop-bench bert [--seq 64|128] [--threads 1|2] [--steps N] [--lora R]
//   swift run -c release tunetop-bench bert-export --model DIR --pooling mean|cls --out DIR --texts FILE
//
// Absolute numbers depend on the machine and its load, so every figure is put next to a reference
// measured in the same run: the register-only FMA peak, and OpenBLAS when it is installed. Compared
// measurements are interleaved (ours, OpenBLAS, ours, …) so load changes hit both alike.

import CKernels
import Dispatch
import Foundation
import Training

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

typealias CBLASSgemm =
  @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
    UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
  ) -> Void
typealias OpenBLASSetThreads = @convention(c) (Int32) -> Void

/// OpenBLAS loaded at run time, so the package never depends on it.
struct OpenBLAS {
  let sgemm: CBLASSgemm
  let setThreads: OpenBLASSetThreads

  init?() {
    let names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]
    guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first,
      let sgemm = dlsym(handle, "cblas_sgemm"),
      let setThreads = dlsym(handle, "openblas_set_num_threads")
    else { return nil }
    self.sgemm = unsafeBitCast(sgemm, to: CBLASSgemm.self)
    self.setThreads = unsafeBitCast(setThreads, to: OpenBLASSetThreads.self)
  }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted.count % 2 == 1
    ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Seconds per call of `body`, timed over enough repetitions to last about `target` seconds.
func secondsPerCall(repetitions: Int, _ body: () -> Void) -> Double {
  let start = now()
  for _ in 0..<repetitions { body() }
  return Double(now() - start) / 1e9 / Double(repetitions)
}

func calibrate(target: Double = 0.02, _ body: () -> Void) -> Int {
  body()
  var repetitions = 1
  while true {
    let seconds = secondsPerCall(repetitions: repetitions, body) * Double(repetitions)
    if seconds >= target / 4 || repetitions >= 1 << 24 {
      return max(1, Int((Double(repetitions) * target / max(seconds, 1e-9)).rounded(.up)))
    }
    repetitions *= 4
  }
}

/// GFLOP/s of the register-only FMA loop on `threads` threads at once.
/// GFLOP/s of register-only FMA chains on `threads` threads: 12 chains of 8 lanes (AVX2), or with
/// `avx512` 24 chains of 16 lanes, the peak the 6×32 GEMM kernel runs against.
func fmaPeak(threads: Int, avx512: Bool = false) -> Double {
  let iterations = avx512 ? 10_000_000 : 20_000_000
  let flopsPerThread = Double(iterations) * (avx512 ? 24 * 16 : 12 * 8) * 2
  var best = 0.0
  for _ in 0..<5 {
    let start = now()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
      let sink = avx512 ? tt_fma_peak_loop_avx512(iterations) : tt_fma_peak_loop_avx2(iterations)
      if sink.isNaN { print("unexpected NaN") }
    }
    let seconds = Double(now() - start) / 1e9
    best = max(best, flopsPerThread * Double(threads) / seconds / 1e9)
  }
  return best
}

struct Shape {
  var name: String
  var m: Int
  var n: Int
  var k: Int
  var transposeA = false
  var transposeB = false
  var beta: Float = 0
  var threads = 1
}

func json(_ fields: [(String, Any)]) -> String {
  let body = fields.map { key, value -> String in
    switch value {
    case let text as String: return "\"\(key)\":\"\(text)\""
    case let number as Double: return "\"\(key)\":\((number * 1000).rounded() / 1000)"
    default: return "\"\(key)\":\(value)"
    }
  }
  return "{" + body.joined(separator: ",") + "}"
}

/// Measures one shape and prints its row; returns our median GFLOP/s. `oneThread` is the same
/// product's one-thread median, for the speedup of a two-thread row.
@discardableResult
func benchmark(
  _ shape: Shape, samples: Int, peak: [Int: Double], openBLAS: OpenBLAS?, oneThread: Double? = nil
)
  -> Double
{
  var result = 0.0
  let (m, n, k) = (shape.m, shape.n, shape.k)
  let (aRows, aCols) = shape.transposeA ? (k, m) : (m, k)
  let (bRows, bCols) = shape.transposeB ? (n, k) : (k, n)
  var rng = SplitMix64(seed: 1)
  let a = (0..<(aRows * aCols)).map { _ in rng.nextGaussian() }
  let b = (0..<(bRows * bCols)).map { _ in rng.nextGaussian() }
  var c = [Float](repeating: 0, count: m * n)
  let flops = 2 * Double(m) * Double(n) * Double(k)
  let threading: GEMMThreading = shape.threads == 2 ? .two : .single

  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      c.withUnsafeMutableBufferPointer { pc in
        let (pa, pb, pc) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
        let ours = {
          gemm(
            transposeA: shape.transposeA, transposeB: shape.transposeB, m: m, n: n, k: k, alpha: 1,
            a: pa, lda: aCols, b: pb, ldb: bCols, beta: shape.beta, c: pc, ldc: n, threading: threading)
        }
        let theirs: (() -> Void)? = openBLAS.map { blas in
          {
            blas.sgemm(
              101, shape.transposeA ? 112 : 111, shape.transposeB ? 112 : 111, Int32(m), Int32(n),
              Int32(k), 1, pa, Int32(aCols), pb, Int32(bCols), shape.beta, pc, Int32(n))
          }
        }
        openBLAS?.setThreads(Int32(shape.threads))
        let oursRepetitions = calibrate(ours)
        let theirRepetitions = theirs.map { calibrate($0) } ?? 0
        var oursRates: [Double] = []
        var theirRates: [Double] = []
        // On one thread, also GFLOP/s per second of this thread's CPU time: on a machine shared
        // with other work, wall time also counts the time the thread waited for a core.
        var oursCPURates: [Double] = []
        var theirCPURates: [Double] = []
        func timed(_ repetitions: Int, _ body: () -> Void, wall: inout [Double], cpu: inout [Double]) {
          let cpuStart = threadCPUNanoseconds()
          wall.append(flops / secondsPerCall(repetitions: repetitions, body) / 1e9)
          cpu.append(flops * Double(repetitions) / Double(threadCPUNanoseconds() - cpuStart))
        }
        for _ in 0..<samples {
          timed(oursRepetitions, ours, wall: &oursRates, cpu: &oursCPURates)
          if let theirs { timed(theirRepetitions, theirs, wall: &theirRates, cpu: &theirCPURates) }
        }
        let oursMedian = median(oursRates)
        var fields: [(String, Any)] = [
          ("bench", "gemm"), ("shape", shape.name), ("m", m), ("n", n), ("k", k),
          ("transposeA", shape.transposeA), ("transposeB", shape.transposeB), ("beta", Double(shape.beta)),
          ("threads", shape.threads), ("kernel", gemmKernelDescription), ("samples", samples),
          ("gflops", oursMedian), ("gflops_best", oursRates.max()!),
        ]
        if let peak = peak[shape.threads] { fields.append(("fraction_of_fma_peak", oursMedian / peak)) }
        if !theirRates.isEmpty {
          let theirMedian = median(theirRates)
          fields.append(("openblas_gflops", theirMedian))
          fields.append(("openblas_gflops_best", theirRates.max()!))
          fields.append(("ratio_vs_openblas", oursMedian / theirMedian))
          if shape.threads == 1 {
            fields.append(("ratio_vs_openblas_cpu_time", median(oursCPURates) / median(theirCPURates)))
          }
        }
        if shape.threads == 2, let oneThread {
          fields.append(("speedup_vs_one_thread", oursMedian / oneThread))
          // What two threads can give on this machine right now: 2.0 on two idle cores, less
          // when other work holds a core. Judge the speedup against it.
          if let two = peak[2], let one = peak[1] { fields.append(("fma_peak_speedup", two / one)) }
        }
        print(json(fields))
        result = oursMedian
      }
    }
  }
  return result
}

func runGEMM(samples: Int, only custom: Shape? = nil) {
  var peak: [Int: Double] = [:]
  if tt_cpu_has_avx2_fma() != 0 {
    for threads in [1, 2] {
      peak[threads] = fmaPeak(threads: threads)
      print(json([("bench", "fma_peak"), ("threads", threads), ("gflops", peak[threads]!)]))
    }
  }
  let openBLAS = OpenBLAS()
  if openBLAS == nil { print(json([("note", "libopenblas.so.0 not found; OpenBLAS columns omitted")])) }
  // The three training shapes are one Dense layer of 64 → 256 at batch 64: forward X·Wᵀ, then the
  // backward products dX = dY·W and dW += dYᵀ·X.
  let shapes = [
    Shape(name: "256x256x256", m: 256, n: 256, k: 256),
    Shape(name: "1024x1024x1024", m: 1024, n: 1024, k: 1024),
    Shape(name: "1024x1024x1024", m: 1024, n: 1024, k: 1024, threads: 2),
    Shape(name: "forward X·Wt", m: 64, n: 256, k: 64, transposeB: true, beta: 1),
    Shape(name: "backward dX=dY·W", m: 64, n: 64, k: 256),
    Shape(name: "backward dW+=dYt·X", m: 256, n: 64, k: 64, transposeA: true, beta: 1),
  ]
  var oneThread: [String: Double] = [:]
  for shape in custom.map({ [$0] }) ?? shapes {
    let rate = benchmark(
      shape, samples: samples, peak: peak, openBLAS: openBLAS, oneThread: oneThread[shape.name])
    if shape.threads == 1 { oneThread[shape.name] = rate }
  }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "gemm":
  let samples = arguments.dropFirst().first.flatMap { Int($0) } ?? 11
  runGEMM(samples: samples)
case "gemm-shape":
  // One product, e.g. `gemm-shape 64 64 256 n t 1`, for profiling a single case under perf.
  let values = Array(arguments.dropFirst())
  guard values.count >= 3, let m = Int(values[0]), let n = Int(values[1]), let k = Int(values[2]) else {
    print("usage: tunetop-bench gemm-shape m n k [n|t] [n|t] [threads] [samples] [beta]")
    exit(2)
  }
  let shape = Shape(
    name: "\(m)x\(n)x\(k)", m: m, n: n, k: k, transposeA: values.count > 3 && values[3] == "t",
    transposeB: values.count > 4 && values[4] == "t",
    beta: values.count > 7 ? Float(values[7]) ?? 0 : 0, threads: values.count > 5 ? Int(values[5]) ?? 1 : 1)
  runGEMM(samples: values.count > 6 ? Int(values[6]) ?? 11 : 11, only: shape)
case "alloc":
  runAlloc()
case "runs":
  runRuns(arguments: Array(arguments.dropFirst()))
case "search":
  runSearch(arguments: Array(arguments.dropFirst()))
case "memory":
  runMemory(arguments: Array(arguments.dropFirst()))
case "dashboard":
  runDashboard(arguments: Array(arguments.dropFirst()))
case "bert":
  runBert(arguments: Array(arguments.dropFirst()))
case "train":
  // `train [--quick] [--rounds N] [--width W] [--batch B] [--no-builtin]`
  runTrain(arguments: Array(arguments.dropFirst()))
case "tokenize":
  runTokenize(arguments: Array(arguments.dropFirst()))
case "table-load":
  runTableLoad(arguments: Array(arguments.dropFirst()))
case "predict-rows":
  runPredictRows(arguments: Array(arguments.dropFirst()))
case "predict-file":
  runPredictFile(arguments: Array(arguments.dropFirst()))
case "bert-export":
  runBertExportParity(arguments: Array(arguments.dropFirst()))
default:
  print(
    "usage: tunetop-bench gemm [samples] | gemm-shape m n k [n|t] [n|t] [threads] [samples] [beta] | train [--quick] [--rounds N] [--width W] [--batch B] [--no-builtin] | bert [--seq L] [--threads T] [--steps N] [--batch B] [--lora R] | alloc | runs [--count N] | search [--trials N] | memory | dashboard [--samples N] [--only frame|first-frame] [--binary path] | tokenize --model DIR --corpus FILE [--max-len N] [--rounds R] | table-load FILE [--library] | predict-rows [ROWS FEATURES CLASSES] | predict-file CHECKPOINT FILE | bert-export --model DIR --pooling mean|cls --out DIR --texts FILE [--lora-rank R]"
  )
  exit(2)
}
