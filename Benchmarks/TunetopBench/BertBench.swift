// `tunetop-bench bert`: samples/s of a full training step of the BERT encoder at MiniLM's shapes
// (hidden 384, 6 blocks, 12 heads, intermediate 1536, vocabulary 30522), batch 16, sequence 64 and
// 128: zero gradients, forward with dropout 0.1, softmax cross-entropy, backward, AdamW over every
// trainable parameter. `--frozen N` freezes the embeddings and the N lowest blocks (the issue's
// third row: N = 4). The model is random (built in Swift); speed does not depend on the weights.
// Benchmarks/peer_bert_pytorch.py times transformers' BertModel with the same config and step, and
// Benchmarks/bert_compare.sh runs both side by side.
//
// Each row reports wall time and the process's CPU time (every thread, as the peer reports), the
// median time of each phase (forward, backward, optimizer), the process's peak RSS so far, and for
// a frozen row the frozen groups' gradient norm (0 when their backward was skipped).

import AllocCounter
import Foundation
import Training

/// CPU time of every thread of this process (user + system), in seconds.
func processCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The process's peak resident set size so far, in MB (Linux reports ru_maxrss in KB).
func peakResidentMegabytes() -> Double {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return Double(usage.ru_maxrss) / 1024
}

func runBert(arguments: [String]) {
  func value(_ flag: String) -> Int? { intOption(flag, in: arguments) }
  // `--lora R`: LoRA on query and value at rank R (base weights fixed) instead of full fine-tuning.
  let loraRank = value("--lora")
  if arguments.contains("--alloc") { return bertAllocationRow(loraRank: loraRank) }
  let steps = value("--steps") ?? 6
  let batchSize = value("--batch") ?? 16
  let lengths = value("--seq").map { [$0] } ?? [64, 128]
  let threadCounts = value("--threads").map { [$0] } ?? [1, 2]
  let frozenBlocks = value("--frozen") ?? 0
  let config = BertConfig(
    vocabularySize: 30522, hiddenSize: 384, layers: value("--layers") ?? 6, heads: 12, intermediateSize: 1536,
    maxPositions: 512)
  let model = BertClassifier(config: config, classes: 2, pooling: .mean, seed: 3)
  if let loraRank { model.enableLoRA(LoRASettings(rank: loraRank), seed: 5) }
  let frozenGroups = frozenBlocks > 0 ? Array(model.groupNames.prefix(1 + frozenBlocks)) : []
  for group in frozenGroups { model.store.setFrozen(true, group: group) }
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
  let loss = SoftmaxCrossEntropy()
  var rng = SplitMix64(seed: 4)
  if gemmKernelDescription.hasPrefix("avx512") {
    // What a second thread can add on this machine right now: on some virtual machines the two
    // vCPUs share one core's 512-bit FMA units, and then two threads compute no faster than one.
    let one = fmaPeak(threads: 1, avx512: true)
    let two = fmaPeak(threads: 2, avx512: true)
    emit(
      json([
        ("bench", "fma_peak_avx512"), ("gflops_1_thread", one), ("gflops_2_threads", two),
        ("ratio", two / one),
      ]))
  }
  for length in lengths {
    let batch = TokenBatch(
      tokens: (0..<(batchSize * length)).map { _ in Int32(rng.next() % 30522) },
      lengths: Array(repeating: length, count: batchSize), length: length)
    let labels = (0..<batchSize).map { _ in Int(rng.next() % 2) }
    for threads in threadCounts {
      setTrainingThreads(threads)
      var phases: [[Double]] = [[], [], []]
      func step() -> Double {
        model.store.zeroGradients()
        let t0 = now()
        let logits = model.forward(batch, training: true)
        let result = loss.lossAndGradient(logits: logits, labels: labels)
        let t1 = now()
        model.backward(result.gradient)
        let t2 = now()
        optimizer.step(learningRate: 2e-5)
        let t3 = now()
        phases[0].append(Double(t1 - t0) / 1e9)
        phases[1].append(Double(t2 - t1) / 1e9)
        phases[2].append(Double(t3 - t2) / 1e9)
        return result.loss
      }
      _ = step()  // warm-up: buffers reach their size
      phases = [[], [], []]
      var seconds: [Double] = []
      var cpuSeconds: [Double] = []
      var last = 0.0
      for _ in 0..<steps {
        let start = now()
        let cpuStart = processCPUSeconds()
        last = step()
        seconds.append(Double(now() - start) / 1e9)
        cpuSeconds.append(processCPUSeconds() - cpuStart)
      }
      let perStep = median(seconds)
      var fields: [(String, Any)] = [
        ("bench", "bert-train"), ("impl", "tunetop"), ("model", "minilm-shape-L\(config.layers)-H384"),
        ("method", loraRank.map { "lora-r\($0)" } ?? "full"),
        ("batch", batchSize), ("seq", length), ("frozen_blocks", frozenBlocks), ("threads", threads),
        ("steps", steps), ("seconds_per_step", perStep), ("samples_per_s", Double(batchSize) / perStep),
        // Samples per second of the process's CPU time (all its threads): on a loaded machine wall
        // time also counts the time spent waiting for a core.
        ("samples_per_cpu_s", Double(batchSize) / median(cpuSeconds)),
        ("forward_s", median(phases[0])), ("backward_s", median(phases[1])),
        ("optimizer_s", median(phases[2])),
        ("peak_rss_mb", peakResidentMegabytes()), ("kernel", gemmKernelDescription), ("final_loss", last),
      ]
      if !frozenGroups.isEmpty {
        // Zero when the frozen groups' backward never ran (nothing accumulated into their slots).
        let norm = frozenGroups.map { Double(model.store.gradientNorm(group: $0)) }.reduce(0, +)
        fields.append(("frozen_gradient_norm", norm))
      }
      emit(json(fields))
    }
  }
  setTrainingThreads(2)
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
