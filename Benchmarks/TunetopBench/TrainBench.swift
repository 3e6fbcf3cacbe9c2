// `tunetop-bench train`: training throughput (samples/s) of the full training step.
//
// A step here is exactly what TrainingSession does per batch, minus publishing its event: gather the
// labels, zero the gradients, forward (training mode; the model gathers its batch, reached through
// `FineTunableModel` as the trainer reaches it), softmax cross-entropy, backward, per-group gradient
// norms, global norm clipping at 1, AdamW step. The PyTorch peer (Benchmarks/peer_pytorch.py)
// trains the same models on the same synthetic data with the same optimizer and step counts, but
// without gradient clipping, so the comparison is conservative for tunetop.

import Foundation
import Training

/// One synthetic model: 64 → W → W/2 → 10, ReLU between, no dropout.
struct TrainCase {
  var width: Int
  var batch: Int

  var hiddenSizes: [Int] { [width, width / 2] }
  var name: String { "64-\(width)-\(width / 2)-10" }
  var parameters: Int { 64 * width + width + width * (width / 2) + width / 2 + (width / 2) * 10 + 10 }

  /// Longest a `--quick` row trains; same as QUICK_SECONDS in peer_pytorch.py.
  static let quickSeconds = 0.75

  /// Same formula as peer_pytorch.py: about `budget` flops of training work, clamped.
  func steps(quick: Bool) -> Int {
    let budget = quick ? 1.5e9 : 6e9
    let flopsPerStep = 6 * Double(parameters) * Double(batch)
    return max(quick ? 5 : 10, min(quick ? 500 : 2000, Int(budget / flopsPerStep)))
  }
}

/// Widths 64, 256, 1024, 2048 at batch 32 and 256. Width 256 is the reference shape 64→256→128→10.
let trainCases: [TrainCase] = [64, 256, 1024, 2048].flatMap { width in
  [32, 256].map { TrainCase(width: width, batch: $0) }
}

/// A model, its optimizer and the synthetic data, driven step by step.
final class TrainHarness {
  let model: any FineTunableModel
  let optimizer: Optimizer
  let loss = SoftmaxCrossEntropy()
  let data: any LabeledSamples
  /// The sample order, here the identity; batches are gathered as the trainer gathers them.
  let order: [Int]
  let batch: Int
  var batchLabels: [Int] = []
  var cursor = 0
  var groupNorms: [Double]

  init(_ testCase: TrainCase, seed: UInt64 = 7) {
    model = MLP(inputSize: 64, hiddenSizes: testCase.hiddenSizes, classes: 10, dropout: 0, seed: seed)
    optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
    batch = testCase.batch
    let samples = max(2048, testCase.batch * 8)
    var rng = SplitMix64(seed: seed &+ 1)
    let features = Matrix(
      rows: samples, cols: 64, storage: (0..<(samples * 64)).map { _ in rng.nextGaussian() })
    data = Dataset(features: features, labels: (0..<samples).map { _ in Int(rng.next() % 10) }, classes: 10)
    order = Array(0..<samples)
    groupNorms = Array(repeating: 0, count: model.groupNames.count)
    batchLabels.reserveCapacity(batch)
  }

  func step() -> Double {
    if cursor + batch > data.count { cursor = 0 }
    let indices = order[cursor..<(cursor + batch)]
    data.gatherLabels(indices, into: &batchLabels)
    cursor += batch

    let store = model.store
    store.zeroGradients()
    let logits = model.forward(data, indices: indices, training: true)
    let result = loss.lossAndGradient(logits: logits, labels: batchLabels)
    model.backward(result.gradient)
    // As TrainingSession does: one pass for the per-group norms and the clipping norm.
    let measured = store.gradientNorms(into: &groupNorms)
    clipGradientNorm(store, maxNorm: 1, measuredNorm: measured.trainable)
    optimizer.step(learningRate: 1e-3)
    return result.loss
  }
}

func trainRow(_ testCase: TrainCase, quick: Bool) -> (samplesPerSecond: Double, steps: Int, loss: Double) {
  let harness = TrainHarness(testCase)
  let steps = testCase.steps(quick: quick)
  // --quick also stops a row after `quickSeconds` and its warm-up after a third of that, as the
  // peer script does, so a loaded machine cannot stretch `compare.sh --quick` past its minute;
  // the rate is over the steps timed.
  let limit = quick ? UInt64(TrainCase.quickSeconds * 1e9) : UInt64.max
  let warmStart = now()
  for _ in 0..<max(3, steps / 10) {
    _ = harness.step()
    if now() - warmStart > limit / 3 { break }
  }
  var lastLoss = 0.0
  let start = now()
  var done = 0
  while done < steps {
    lastLoss = harness.step()
    done += 1
    if now() - start > limit { break }
  }
  let seconds = Double(now() - start) / 1e9
  return (Double(done * testCase.batch) / seconds, done, lastLoss)
}

/// The built-in task through the real Trainer: default settings, no run directory. Its samples/s
/// includes the per-epoch validation passes and event publishing.
func builtInRow() -> String {
  do {
    var settings = HyperParameters()
    settings.earlyStoppingPatience = 0
    let prepared = try PreparedRun.prepare(settings)
    let trainer = Trainer(prepared, directory: nil)
    let summary = trainer.runOnThisThread()
    return json([
      ("bench", "train"), ("impl", "tunetop"), ("model", "builtin-default"),
      ("batch", settings.batchSize), ("threads", 1), ("optimizer", "adamw"), ("variant", "trainer"),
      ("steps", summary.steps), ("samples_per_s", summary.samplesPerSecond),
      ("seconds", summary.wallSeconds),
    ])
  } catch {
    return json([("bench", "train"), ("model", "builtin-default"), ("error", "\(error)")])
  }
}

func runTrain(arguments: [String]) {
  let quick = arguments.contains("--quick")
  let rounds = intOption("--rounds", in: arguments) ?? 1
  var cases = trainCases
  if let width = intOption("--width", in: arguments) { cases = cases.filter { $0.width == width } }
  if let batch = intOption("--batch", in: arguments) { cases = cases.filter { $0.batch == batch } }
  // One thread, then, where products reach 2^24 multiply-adds (widths ≥ 1024), also with the GEMM
  // worker as a real run uses it: PyTorch is measured at one and two threads too.
  setGEMMAllowsSecondThread(false)
  if !arguments.contains("--no-builtin") { emit(builtInRow()) }
  for round in 0..<rounds {
    for testCase in cases {
      for threads in testCase.width >= 1024 ? [1, 2] : [1] {
        setGEMMAllowsSecondThread(threads == 2)
        let row = trainRow(testCase, quick: quick)
        emit(
          json([
            ("bench", "train"), ("impl", "tunetop"), ("model", testCase.name), ("batch", testCase.batch),
            ("threads", threads), ("optimizer", "adamw"), ("variant", "tunetop"), ("steps", row.steps),
            ("samples_per_s", row.samplesPerSecond), ("round", round), ("kernel", gemmKernelDescription),
            ("final_loss", row.loss),
          ]))
      }
      setGEMMAllowsSecondThread(false)
    }
  }
}

/// Writes one line unbuffered, so a piped consumer (compare.sh) sees each row as it is measured.
func emit(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
