import Dispatch
import Foundation

/// A forward-only copy of an `MLP` for prediction: class probabilities for many rows, computed
/// chunk by chunk straight from the input rows into the result, with no backward caches.
///
/// The training forward keeps what a backward needs (each dense layer's input, each ReLU's output)
/// and copies every batch into its own buffer; prediction needs none of that. Here each chunk of
/// rows is multiplied where it lies, bias and ReLU are one pass over a layer's output, the head
/// writes its logits into the result rows and softmax turns them into probabilities in place.
/// Chunks are small enough that a chunk's activations stay in L2 and its products are below the
/// GEMM's A-packing and second-thread thresholds; rows are instead split across threads, since
/// chunks are independent.
public struct MLPInference: Sendable {
  /// One dense layer's parameters, W stored `[out, in]` as in `Dense`.
  struct Layer: Sendable {
    let inputSize: Int
    let outputSize: Int
    let weight: [Float]
    let bias: [Float]
  }

  /// Hidden layers (each followed by ReLU) then the head.
  let layers: [Layer]
  public let inputSize: Int
  public let classes: Int

  /// Rows per chunk: a 256-row chunk's widest activation (256×128 floats, 128 KB) stays in L2, and
  /// its products (at most 256×128 of A) are read in place by the GEMM rather than packed.
  public static let chunkRows = 256

  /// Snapshots the model's current weights; later training does not change this copy.
  public init(_ model: MLP) {
    let store = model.store
    layers = model.groups.map { group in
      let dense = group.dense
      let weight = store.tensors[dense.weightIndex]
      let bias = store.tensors[dense.biasIndex]
      return Layer(
        inputSize: dense.inputSize, outputSize: dense.outputSize,
        weight: Array(store.values[weight.offset..<(weight.offset + weight.count)]),
        bias: Array(store.values[bias.offset..<(bias.offset + bias.count)]))
    }
    inputSize = model.inputSize
    classes = model.classes
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
    // No more threads than chunks: a thread with less than a chunk of work costs more than it saves.
    let workers = min(threads, (rows + Self.chunkRows - 1) / Self.chunkRows)
    inputs.storage.withUnsafeBufferPointer { x in
      out.storage.withUnsafeMutableBufferPointer { y in
        let rowsRange = RowsRange(input: x.baseAddress!, output: y.baseAddress!)
        if workers == 1 {
          run(rowsRange, from: 0, to: rows)
        } else {
          // Split on chunk boundaries so each thread's share is whole chunks but the last.
          let chunks = (rows + Self.chunkRows - 1) / Self.chunkRows
          DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = chunks * worker / workers * Self.chunkRows
            let end = min(rows, chunks * (worker + 1) / workers * Self.chunkRows)
            run(rowsRange, from: start, to: end)
          }
        }
      }
    }
    return out
  }

  /// Rows `start..<end`, chunk by chunk, with this thread's own scratch (two buffers of the widest
  /// hidden layer, allocated once per call and reused by every chunk).
  private func run(_ buffers: RowsRange, from start: Int, to end: Int) {
    let widest = layers.dropLast().map(\.outputSize).max() ?? 0
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * Self.chunkRows * max(widest, 1))
    defer { scratch.deallocate() }
    let halves = [scratch, scratch + Self.chunkRows * max(widest, 1)]
    var chunkStart = start
    while chunkStart < end {
      let count = min(Self.chunkRows, end - chunkStart)
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
