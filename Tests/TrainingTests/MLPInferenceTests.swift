import Foundation
import Testing

@testable import Training

/// Softmax of `forward(training: false)`, row by row: the reference the inference path must match.
private func referenceProbabilities(_ model: MLP, _ inputs: Matrix) -> Matrix {
  let logits = model.forward(inputs, training: false)
  var out = logits
  for row in 0..<logits.rows {
    let line = Array(logits.storage[(row * logits.cols)..<((row + 1) * logits.cols)])
    let largest = line.max()!
    let exps = line.map { Foundation.exp(Double($0 - largest)) }
    let sum = exps.reduce(0, +)
    for k in 0..<logits.cols { out.storage[row * logits.cols + k] = Float(exps[k] / sum) }
  }
  return out
}

private func randomModel(inputs: Int, hidden: [Int], classes: Int, seed: UInt64) -> MLP {
  let model = MLP(inputSize: inputs, hiddenSizes: hidden, classes: classes, dropout: 0.3, seed: seed)
  // Non-zero biases, so a path that forgot the bias (or added it twice) differs.
  var rng = SplitMix64(seed: seed &+ 100)
  for tensor in model.store.tensors where tensor.name.hasSuffix(".bias") {
    model.store.setValues(
      (0..<tensor.count).map { _ in rng.nextUnitFloat() - 0.5 },
      of: model.store.tensors.firstIndex(of: tensor)!)
  }
  return model
}

private func randomRows(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
  var rng = SplitMix64(seed: seed)
  return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in 4 * rng.nextUnitFloat() - 2 })
}

@Test(
  arguments: [
    (inputs: 49, hidden: [128, 64], classes: 10, rows: 1000),
    (inputs: 7, hidden: [13], classes: 3, rows: 5),  // a batch smaller than a chunk
    (inputs: 3, hidden: [], classes: 2, rows: 257),  // the head alone; one row past a chunk
    (inputs: 65, hidden: [33, 17, 9], classes: 11, rows: 2 * MLPInference.chunkRows + 3),
    // Thin-kernel panels: 200 outputs are three full 64-column panels and an 8-wide one; 48 and 33
    // classes make the softmax span three vectors of one panel; 70 classes span two panels, so the
    // softmax runs after the tiles; 16 is exactly one vector; a single input.
    (inputs: 1, hidden: [200, 48], classes: 33, rows: 301),
    (inputs: 30, hidden: [16], classes: 70, rows: 2 * 24 + 5),
    (inputs: 64, hidden: [64], classes: 16, rows: MLPInference.chunkRows),
  ])
func inferenceMatchesTheEvaluationForward(inputs: Int, hidden: [Int], classes: Int, rows: Int) {
  let model = randomModel(inputs: inputs, hidden: hidden, classes: classes, seed: UInt64(inputs * 31 + rows))
  let x = randomRows(rows, inputs, seed: UInt64(rows))
  let expected = referenceProbabilities(model, x)
  for kernel in [MLPInference.Kernel.thin, .gemm] {
    let inference = MLPInference(model, kernel: kernel)
    for threads in [1, 2, 3] {
      let got = inference.probabilities(inputs: x, threads: threads)
      #expect(got.rows == rows && got.cols == classes)
      let worst = zip(got.storage, expected.storage).map { abs($0 - $1) }.max() ?? 0
      #expect(worst < 1e-6, "\(inference.kernel), threads \(threads): largest difference \(worst)")
      let sums = (0..<rows).map { row in got.storage[(row * classes)..<((row + 1) * classes)].reduce(0, +) }
      #expect(
        sums.allSatisfy { abs($0 - 1) < 1e-5 }, "\(inference.kernel): a row's probabilities do not sum to 1")
    }
  }
}

/// The thin kernel's softmax on logits far apart (a class certain, others ~e^-80) and equal: no
/// NaN, no overflow, the certain class at 1 and ties split evenly.
@Test func thinKernelSoftmaxHandlesExtremeLogits() {
  let model = MLP(inputSize: 2, hiddenSizes: [], classes: 3, dropout: 0, seed: 1)
  let weight = model.store.tensors.firstIndex { $0.name.hasSuffix(".weight") }!
  let bias = model.store.tensors.firstIndex { $0.name.hasSuffix(".bias") }!
  model.store.setValues([40, 0, -40, 0, 0, 0], of: weight)
  model.store.setValues([0, 0, 0], of: bias)
  let x = Matrix(rows: 2, cols: 2, storage: [1, 0, 0, 1])
  for kernel in [MLPInference.Kernel.thin, .gemm] {
    let got = MLPInference(model, kernel: kernel).probabilities(inputs: x)
    #expect(got.storage.allSatisfy { $0.isFinite }, "\(kernel)")
    #expect(abs(got.storage[0] - 1) < 1e-6 && got.storage[1] < 1e-30, "\(kernel): \(got.storage)")
    #expect(got.storage[3...5].allSatisfy { abs($0 - 1.0 / 3) < 1e-6 }, "\(kernel): \(got.storage)")
  }
}

@Test func inferenceOfNoRowsIsEmpty() {
  let model = randomModel(inputs: 4, hidden: [8], classes: 3, seed: 1)
  let got = MLPInference(model).probabilities(inputs: Matrix(rows: 0, cols: 4), threads: 2)
  #expect(got.rows == 0 && got.cols == 3 && got.storage.isEmpty)
}

@Test func inferenceKeepsTheWeightsItWasBuiltWith() {
  let model = randomModel(inputs: 5, hidden: [6], classes: 4, seed: 2)
  let x = randomRows(9, 5, seed: 3)
  let inference = MLPInference(model)
  let before = inference.probabilities(inputs: x)
  model.reinitialize(group: "head", seed: 77)
  #expect(inference.probabilities(inputs: x) == before)
  #expect(MLPInference(model).probabilities(inputs: x) != before)
}
