// `tunetop-bench bert`: samples/s of a full training step of the BERT encoder at MiniLM's shapes
// (hidden 384, 6 blocks, 12 heads, intermediate 1536, vocabulary 30522), batch 16, sequence 64 and
// 128: zero gradients, forward with dropout 0.1, softmax cross-entropy, backward, AdamW over every
// parameter. The model is random (built in Swift); speed does not depend on the weights.
// Benchmarks/peer_bert_pytorch.py times transformers' BertModel with the same config and step.

import AllocCounter
import Foundation
import Training

func runBert(arguments: [String]) {
  func value(_ flag: String) -> Int? { intOption(flag, in: arguments) }
  // `--lora R`: LoRA on query and value at rank R (base weights fixed) instead of full fine-tuning.
  let loraRank = value("--lora")
  if arguments.contains("--alloc") { return bertAllocationRow(loraRank: loraRank) }
  let steps = value("--steps") ?? 6
  let batchSize = value("--batch") ?? 16
  let lengths = value("--seq").map { [$0] } ?? [64, 128]
  let threadCounts = value("--threads").map { [$0] } ?? [1, 2]
  let config = BertConfig(
    vocabularySize: 30522, hiddenSize: 384, layers: value("--layers") ?? 6, heads: 12, intermediateSize: 1536,
    maxPositions: 512)
  let model = BertClassifier(config: config, classes: 2, pooling: .mean, seed: 3)
  if let loraRank { model.enableLoRA(LoRASettings(rank: loraRank), seed: 5) }
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
  let loss = SoftmaxCrossEntropy()
  var rng = SplitMix64(seed: 4)
  for length in lengths {
    let batch = TokenBatch(
      tokens: (0..<(batchSize * length)).map { _ in Int32(rng.next() % 30522) },
      lengths: Array(repeating: length, count: batchSize), length: length)
    let labels = (0..<batchSize).map { _ in Int(rng.next() % 2) }
    for threads in threadCounts {
      setGEMMAllowsSecondThread(threads == 2)
      func step() -> Double {
        model.store.zeroGradients()
        let logits = model.forward(batch, training: true)
        let result = loss.lossAndGradient(logits: logits, labels: labels)
        model.backward(result.gradient)
        optimizer.step(learningRate: 2e-5)
        return result.loss
      }
      _ = step()  // warm-up: buffers reach their size
      var seconds: [Double] = []
      var cpuSeconds: [Double] = []
      var last = 0.0
      for _ in 0..<steps {
        let start = now()
        let cpuStart = threadCPUNanoseconds()
        last = step()
        seconds.append(Double(now() - start) / 1e9)
        cpuSeconds.append(Double(threadCPUNanoseconds() - cpuStart) / 1e9)
      }
      let perStep = median(seconds)
      emit(
        json([
          ("bench", "bert-train"), ("impl", "tunetop"), ("model", "minilm-shape-L\(config.layers)-H384"),
          ("method", loraRank.map { "lora-r\($0)" } ?? "full"),
          ("batch", batchSize), ("seq", length), ("threads", threads), ("steps", steps),
          ("seconds_per_step", perStep), ("samples_per_s", Double(batchSize) / perStep),
          // With one thread, samples per second of this thread's CPU time: on a loaded machine wall
          // time also counts the time spent waiting for a core.
          ("samples_per_cpu_s", Double(batchSize) / median(cpuSeconds)),
          ("kernel", gemmKernelDescription), ("final_loss", last),
        ]))
    }
  }
  setGEMMAllowsSecondThread(true)
}

/// `tunetop-bench bert --alloc`: heap allocations per warm encoder training step (should be 0),
/// on a small config, with dropout, alternating a full and a shorter padded batch.
func bertAllocationRow(loraRank: Int? = nil) {
  let config = BertConfig(
    vocabularySize: 500, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 128, maxPositions: 64)
  let model = BertClassifier(config: config, classes: 3, pooling: .cls, seed: 1)
  if let loraRank {
    model.enableLoRA(LoRASettings(rank: loraRank, targets: LoRATarget.allCases), seed: 5)
  }
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
  let loss = SoftmaxCrossEntropy()
  var rng = SplitMix64(seed: 2)
  let batches = [32, 20].map { length in
    TokenBatch(
      tokens: (0..<(8 * length)).map { _ in Int32(rng.next() % 500) },
      lengths: [length] + (1..<8).map { _ in 1 + Int(rng.next() % UInt64(length)) },
      length: length)
  }
  let labels = [0, 1, 2, 0, 1, 2, 0, 1]
  func step(_ batch: TokenBatch) {
    model.store.zeroGradients()
    let logits = model.forward(batch, training: true)
    model.backward(loss.lossAndGradient(logits: logits, labels: labels).gradient)
    optimizer.step(learningRate: 1e-4)
  }
  for batch in batches { step(batch) }
  let steps = 20
  let before = tt_allocation_count()
  for index in 0..<steps { step(batches[index % 2]) }
  let allocations = tt_allocation_count() - before
  emit(
    json([
      ("bench", "alloc"), ("model", "bert-H64-L2"), ("method", loraRank.map { "lora-r\($0)" } ?? "full"),
      ("batch", 8), ("dropout", 0.1), ("steps", steps),
      ("allocations", allocations), ("allocations_per_step", Double(allocations) / Double(steps)),
      ("counting", before >= 0 ? "glibc-interposed" : "unavailable"),
    ]))
}
