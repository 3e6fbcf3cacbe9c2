import CKernels
import Dispatch
import Foundation

/// A forward-only copy of an `MLP` for prediction: class probabilities for many rows, computed
/// chunk by chunk straight from the input rows into the result, with no backward caches.
///
/// The training forward keeps what a backward needs (each dense layer's input, each ReLU's output)
/// and copies every batch into its own buffer; prediction needs none of that. Here each chunk of
/// rows is multiplied where it lies and the head writes probabilities straight into the result
/// rows. Chunks are independent, so rows are split across threads on chunk boundaries.
///
/// On AVX-512 hosts each layer runs through the thin-shape kernel (`tt_thin_dense_avx512`,
/// CKernels/ThinDense.c): weights packed once into 64-column panels, accumulators started from the
/// bias, ReLU or the row softmax applied in registers before the one store. Elsewhere the shared
/// GEMM does the products, then one pass over each layer's output adds the bias and applies ReLU
/// or the softmax.
public struct MLPInference: Sendable {
  /// One dense layer's parameters, W stored `[out, in]` as in `Dense`, and `packed` for the thin
  /// kernel (empty when it is not used).
  struct Layer: Sendable {
    let inputSize: Int
    let outputSize: Int
    let weight: [Float]
    let bias: [Float]
    let packed: [Float]
  }

  /// Which arithmetic computes the layers; `automatic` picks `thin` where the CPU has AVX-512.
  public enum Kernel: Sendable, Equatable {
    case automatic, thin, gemm
  }

  /// Hidden layers (each followed by ReLU) then the head.
  let layers: [Layer]
  public let inputSize: Int
  public let classes: Int
  /// The kernel in use (`thin` or `gemm`, never `automatic`).
  public let kernel: Kernel

  /// Rows per chunk on the thin kernel: a multiple of its row tiles (6, 8 and 12 rows), and small
  /// enough that the built-in MLP's widest activation (96×128 floats, 48 KB) stays near L1. From 24
  /// to 384 rows the speed was the same within noise (Benchmarks/RESULTS.md).
  public static let chunkRows = 96
  /// Rows per chunk on the GEMM: a 256-row chunk's widest activation (128 KB) stays in L2, and its
  /// products are read in place by the GEMM rather than packed.
  static let gemmChunkRows = 256

  /// Whether this CPU can run the thin kernel.
  public static let hostHasThinKernel = tt_cpu_has_avx512f() != 0

  /// Snapshots the model's current weights; later training does not change this copy.
  /// `kernel: .thin` on a CPU without AVX-512 falls back to `.gemm`.
  public init(_ model: MLP, kernel: Kernel = .automatic) {
    let thin = kernel != .gemm && Self.hostHasThinKernel
    let store = model.store
    layers = model.groups.map { group in
      let dense = group.dense
      let weightTensor = store.tensors[dense.weightIndex]
      let bias = store.tensors[dense.biasIndex]
      let weight = Array(store.values[weightTensor.offset..<(weightTensor.offset + weightTensor.count)])
      var packed: [Float] = []
      if thin {
        let (k, n) = (dense.inputSize, dense.outputSize)
        packed = [Float](repeating: 0, count: tt_thin_packed_count(k, n))
        weight.withUnsafeBufferPointer { w in
          packed.withUnsafeMutableBufferPointer { tt_thin_pack(k, n, w.baseAddress!, $0.baseAddress!) }
        }
      }
      return Layer(
        inputSize: dense.inputSize, outputSize: dense.outputSize, weight: weight,
        bias: Array(store.values[bias.offset..<(bias.offset + bias.count)]), packed: packed)
    }
    inputSize = model.inputSize
    classes = model.classes
    self.kernel = thin ? .thin : .gemm
  }

  /// Softmax probabilities of the model's logits for each row of `inputs`, `classes` per row.
  ///
  /// `threads` is how many threads share the rows (1 or more); each gets a contiguous run of rows.
  public func probabilities(inputs: Matrix, threads: Int = 1) -> Matrix {
    precondition(inputs.cols == inputSize, "input has \(inputs.cols) features, the model takes \(inputSize)")
    precondition(threads >= 1, "threads must be at least 1")
    let rows = inputs.rows
    var out = Matrix(rows: rows, cols: classes)
    guard rows > 0 else { return out }
    let chunkRows = kernel == .thin ? Self.chunkRows : Self.gemmChunkRows
    // No more threads than chunks: a thread with less than a chunk of work costs more than it saves.
    let workers = min(threads, (rows + chunkRows - 1) / chunkRows)
    inputs.storage.withUnsafeBufferPointer { x in
      out.storage.withUnsafeMutableBufferPointer { y in
        let rowsRange = RowsRange(input: x.baseAddress!, output: y.baseAddress!)
        if workers == 1 {
          run(rowsRange, from: 0, to: rows)
        } else {
          // Split on chunk boundaries so each thread's share is whole chunks but the last.
          let chunks = (rows + chunkRows - 1) / chunkRows
          DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = chunks * worker / workers * chunkRows
            let end = min(rows, chunks * (worker + 1) / workers * chunkRows)
            run(rowsRange, from: start, to: end)
          }
        }
      }
    }
    return out
  }

  private func run(_ buffers: RowsRange, from start: Int, to end: Int) {
    if kernel == .thin {
      runThin(buffers, from: start, to: end)
    } else {
      runGEMM(buffers, from: start, to: end)
    }
  }

  /// Rows `start..<end` on the thin kernel, chunk by chunk: each hidden layer writes into this
  /// thread's scratch (two buffers of the widest hidden layer, rows padded to whole vectors,
  /// allocated once per call), the head writes probabilities straight into the result rows.
  private func runThin(_ buffers: RowsRange, from start: Int, to end: Int) {
    let stride = { (width: Int) in (width + 15) / 16 * 16 }
    let widest = stride(layers.dropLast().map(\.outputSize).max() ?? 1)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * Self.chunkRows * widest)
    defer { scratch.deallocate() }
    var chunkStart = start
    while chunkStart < end {
      let count = min(Self.chunkRows, end - chunkStart)
      var activation = UnsafePointer(buffers.input + chunkStart * inputSize)
      var activationStride = inputSize
      for (index, layer) in layers.enumerated() {
        let isHead = index == layers.count - 1
        let target =
          isHead ? buffers.output + chunkStart * classes : scratch + (index % 2) * Self.chunkRows * widest
        let targetStride = isHead ? classes : stride(layer.outputSize)
        layer.packed.withUnsafeBufferPointer { w in
          layer.bias.withUnsafeBufferPointer { b in
            tt_thin_dense_avx512(
              count, layer.inputSize, layer.outputSize, activation, activationStride, w.baseAddress!,
              b.baseAddress!, target, targetStride,
              Int32(isHead ? TT_THIN_SOFTMAX.rawValue : TT_THIN_RELU.rawValue))
          }
        }
        activation = UnsafePointer(target)
        activationStride = targetStride
      }
      chunkStart += count
    }
  }

  /// Rows `start..<end` on the shared GEMM, chunk by chunk, with this thread's own scratch (two
  /// buffers of the widest hidden layer, allocated once per call and reused by every chunk).
  private func runGEMM(_ buffers: RowsRange, from start: Int, to end: Int) {
    let chunkRows = Self.gemmChunkRows
    let widest = layers.dropLast().map(\.outputSize).max() ?? 0
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunkRows * max(widest, 1))
    defer { scratch.deallocate() }
    let halves = [scratch, scratch + chunkRows * max(widest, 1)]
    var chunkStart = start
    while chunkStart < end {
      let count = min(chunkRows, end - chunkStart)
      var activation = UnsafePointer(buffers.input + chunkStart * inputSize)
      for (index, layer) in layers.enumerated() {
        let isHead = index == layers.count - 1
        let target = isHead ? buffers.output + chunkStart * classes : halves[index % 2]
        layer.weight.withUnsafeBufferPointer { w in
          gemm(
            transposeA: false, transposeB: true, m: count, n: layer.outputSize, k: layer.inputSize,
            alpha: 1, a: activation, lda: layer.inputSize, b: w.baseAddress!, ldb: layer.inputSize,
            beta: 0, c: target, ldc: layer.outputSize, threading: .single)
        }
        layer.bias.withUnsafeBufferPointer { b in
          if isHead {
            Self.addBiasSoftmax(rows: count, cols: layer.outputSize, bias: b.baseAddress!, target)
          } else {
            Self.addBiasReLU(rows: count, cols: layer.outputSize, bias: b.baseAddress!, target)
          }
        }
        activation = UnsafePointer(target)
      }
      chunkStart += count
    }
  }

  /// y = max(0, y + b) row by row: the dense bias and the rectifier in one pass.
  static func addBiasReLU(rows: Int, cols: Int, bias: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)
  {
    for row in 0..<rows {
      let line = y + row * cols
      for j in 0..<cols {
        let v = line[j] + bias[j]
        line[j] = v > 0 ? v : 0
      }
    }
  }

  /// Each row of y becomes softmax(y + b), as `Predictor` computed it from the training forward.
  static func addBiasSoftmax(
    rows: Int, cols: Int, bias: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>
  ) {
    for row in 0..<rows {
      let line = y + row * cols
      for k in 0..<cols { line[k] += bias[k] }
      softmaxInPlace(line, count: cols)
    }
  }
}

/// The input and result buffers of one `probabilities` call, handed to its threads.
///
/// `@unchecked Sendable`: both pointers come from `withUnsafe…BufferPointer` scopes that outlive
/// `concurrentPerform` (which returns only after every iteration), the input is only read, and the
/// threads write disjoint row ranges of the output.
private struct RowsRange: @unchecked Sendable {
  let input: UnsafePointer<Float>
  let output: UnsafeMutablePointer<Float>
}
