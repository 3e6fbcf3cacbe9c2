import Foundation
import Testing

@testable import Training

/// LoRA on the encoder: adapter gradients against finite differences, fixed base weights,
/// merging, checkpoints and the config keys.
private let loraConfig = BertConfig(
  vocabularySize: 11, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 12, maxPositions: 6,
  hiddenDropout: 0, attentionDropout: 0)

private let loraBatch = TokenBatch(
  tokens: [1, 4, 3, 7, 2, 5, 9, 3, 0, 0], lengths: [5, 3], length: 5)

/// A model with every base value random (LayerNorm gains around 1) and adapters on `targets`
/// whose B is random too, so no adapter gradient is trivially zero.
private func loraModel(
  targets: [LoRATarget] = LoRATarget.allCases, loraDropout: Float = 0, pooling: BertPooling = .cls,
  seed: UInt64 = 3
) -> BertClassifier {
  let model = BertClassifier(config: loraConfig, classes: 3, pooling: pooling, seed: seed)
  var rng = SplitMix64(seed: seed &+ 100)
  randomizeAll(model.store, rng: &rng)
  model.enableLoRA(LoRASettings(rank: 2, alpha: 6, dropout: loraDropout, targets: targets), seed: seed)
  for adapter in model.loraAdapters {
    model.store.setValues(
      (0..<model.store.tensors[adapter.b].count).map { _ in rng.nextGaussian() * 0.5 }, of: adapter.b)
  }
  return model
}

private func randomizeAll(_ store: ParameterStore, rng: inout SplitMix64) {
  for index in store.tensors.indices {
    let tensor = store.tensors[index]
    let offset: Float = tensor.name.hasSuffix("LayerNorm.weight") ? 1 : 0
    store.setValues((0..<tensor.count).map { _ in offset + rng.nextGaussian() * 0.4 }, of: index)
  }
}

private func loraIndices(_ model: BertClassifier) -> [Int] {
  model.store.tensors.indices.filter { model.store.tensors[$0].name.contains(".lora_") }
}

@Test(arguments: [Float(0), 0.3])
func loraAdapterGradientsMatchFiniteDifferences(loraDropout: Float) throws {
  let model = loraModel(loraDropout: loraDropout)
  var rng = SplitMix64(seed: 8)
  let weights = GradientCheck.randomMatrix(rows: 2, cols: 3, rng: &rng)
  // Each forward redraws the same adapter dropout masks, so the objective is a smooth function.
  let states = model.dropoutRNGStates
  let objective = {
    model.dropoutRNGStates = states
    return GradientCheck.weightedSum(model.forward(loraBatch, training: true), weights)
  }
  model.store.zeroGradients()
  _ = objective()
  model.backward(weights)
  let adapters = loraIndices(model)
  #expect(adapters.count == 2 * 2 * LoRATarget.allCases.count)
  for index in adapters {
    let range = model.store.tensors[index].range
    let numeric = GradientCheck.numeric(
      count: range.count, step: 1e-2, get: { model.store.values[range.lowerBound + $0] },
      set: { model.store.values[range.lowerBound + $0] = $1 }, objective: objective)
    let analytic = Array(model.store.gradients[range])
    #expect(analytic.contains { $0 != 0 }, "\(model.store.tensors[index].name) has no gradient")
    // Central differences through two blocks of attention carry O(step²) curvature of a few 1e-3;
    // a wrong term would be off by O(1).
    GradientCheck.expectMatch(analytic, numeric, tolerance: 5e-3, model.store.tensors[index].name)
  }
  // The head trains in full; every base tensor of the encoder gets no gradient at all.
  for index in model.store.tensors.indices where model.store.fixed[index] {
    #expect(model.store.gradients[model.store.tensors[index].range].allSatisfy { $0 == 0 })
  }
  let classifier = try #require(model.store.index(of: "classifier.weight"))
  #expect(model.store.gradients[model.store.tensors[classifier].range].contains { $0 != 0 })
}

@Test func loraDropoutActsOnlyWhileTraining() {
  let model = loraModel(targets: [.query, .intermediate], loraDropout: 0.5)
  let evaluation = model.forward(loraBatch, training: false)
  #expect(model.forward(loraBatch, training: true) != evaluation)
  // Without LoRA dropout (and the model's own at 0) training and evaluation agree.
  let plain = loraModel(targets: [.query, .intermediate], loraDropout: 0)
  #expect(plain.forward(loraBatch, training: true) == plain.forward(loraBatch, training: false))
  // The adapters' generators are saved with the model's, after them.
  #expect(model.dropoutRNGStates.count == 1 + 3 * loraConfig.layers + 1 + 2 * loraConfig.layers)
}

@Test func aNewAdapterLeavesTheModelUnchanged() {
  let plain = BertClassifier(config: loraConfig, classes: 3, pooling: .mean, seed: 5)
  let adapted = BertClassifier(config: loraConfig, classes: 3, pooling: .mean, seed: 5)
  adapted.enableLoRA(LoRASettings(rank: 4, alpha: 8, dropout: 0, targets: [.query, .value]), seed: 1)
  #expect(adapted.forward(loraBatch, training: false) == plain.forward(loraBatch, training: false))
  // A is Kaiming-uniform (PEFT's bound 1/√in), B zero.
  let a = adapted.store.values(
    of: adapted.store.index(of: "encoder.layer.1.attention.self.value.lora_A.weight")!)
  let bound = 1 / Float(loraConfig.hiddenSize).squareRoot()
  #expect(a.allSatisfy { abs($0) <= bound } && a.contains { $0 != 0 })
  #expect(
    adapted.store.values(of: adapted.store.index(of: "encoder.layer.1.attention.self.value.lora_B.weight")!)
      .allSatisfy { $0 == 0 })
}

@Test func loraTrainingMovesAdaptersAndHeadButNoBaseWeight() {
  let model = loraModel(targets: [.query, .value, .output], loraDropout: 0.1)
  let before = model.store.values
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.1, store: model.store)
  let loss = SoftmaxCrossEntropy()
  for _ in 0..<3 {
    model.store.zeroGradients()
    let logits = model.forward(loraBatch, training: true)
    model.backward(loss.lossAndGradient(logits: logits, labels: [0, 2]).gradient)
    var norms: [Double] = []
    let measured = model.store.gradientNorms(into: &norms)
    clipGradientNorm(model.store, maxNorm: 0.5, measuredNorm: measured.trainable)
    optimizer.step(learningRate: 1e-2)
  }
  for (index, tensor) in model.store.tensors.enumerated() {
    let moved = model.store.values[tensor.range] != before[tensor.range]
    if model.store.fixed[index] {
      #expect(!moved, "\(tensor.name) is a base weight and moved")
      #expect(optimizer.stepCounts[index] == 0)
    } else {
      #expect(moved, "\(tensor.name) should train")
    }
  }
  // Freezing a block freezes its adapters too.
  model.store.setFrozen(true, group: "block1")
  let frozenBlock = model.store.values
  model.store.zeroGradients()
  let logits = model.forward(loraBatch, training: true)
  model.backward(loss.lossAndGradient(logits: logits, labels: [0, 2]).gradient)
  optimizer.step(learningRate: 1e-2)
  for tensor in model.store.tensors where tensor.group == "block1" {
    #expect(
      model.store.values[tensor.range] == frozenBlock[tensor.range], "\(tensor.name) moved while frozen")
  }
  let adapter = model.store.index(of: "encoder.layer.0.attention.self.query.lora_B.weight")!
  #expect(model.store.values(of: adapter) != Array(frozenBlock[model.store.tensors[adapter].range]))
}

@Test func loraParameterCountsAreTheAdapters() {
  let model = BertClassifier(config: loraConfig, classes: 3, pooling: .cls, seed: 2)
  let fullBlock = model.parameterCount(group: "block0")
  model.enableLoRA(
    LoRASettings(rank: 2, alpha: 4, dropout: 0, targets: [.query, .value, .intermediate]), seed: 1)
  let (h, i, r) = (loraConfig.hiddenSize, loraConfig.intermediateSize, 2)
  let adapters = 2 * (r * h + h * r) + (r * h + i * r)
  #expect(model.parameterCount(group: "block0") == adapters)
  #expect(model.store.totalParameterCount(group: "block0") == fullBlock + adapters)
  #expect(model.parameterCount(group: "embeddings") == 0)
  #expect(!model.store.hasTrainableTensors(group: "embeddings"))
  #expect(model.parameterCount(group: "head") == (h * h + h) + (3 * h + 3))
}

@Test(arguments: [BertPooling.cls, .mean])
func mergedWeightsComputeWhatTheAdaptersDo(pooling: BertPooling) throws {
  let model = loraModel(pooling: pooling)
  let adapted = model.forward(loraBatch, training: false)
  let merged = model.mergedTensors()
  #expect(!merged.contains { $0.name.contains("lora_") })
  let plain = BertClassifier(config: loraConfig, classes: 3, pooling: pooling, seed: 99)
  #expect(merged.map(\.name) == plain.store.tensors.map(\.name))
  try plain.load(try SafeTensors.read(data: SafeTensors.encode(merged), source: "merged"), path: "merged")
  let folded = plain.forward(loraBatch, training: false)
  let worst = zip(adapted.storage, folded.storage).map { abs($0 - $1) }.max()!
  let scale = adapted.storage.map { abs($0) }.max()!
  #expect(worst <= 1e-5 * max(1, scale), "merged logits differ by \(worst)")
  // The merge really changed the weights it folded into, and only those.
  let query = plain.store.index(of: "encoder.layer.0.attention.self.query.weight")!
  #expect(plain.store.values(of: query) != model.store.values(of: query))
  let norm = plain.store.index(of: "encoder.layer.0.attention.output.LayerNorm.weight")!
  #expect(plain.store.values(of: norm) == model.store.values(of: norm))
}

@Test func loraCheckpointsHoldAdaptersAndHeadAndLoadOverTheBase() throws {
  let model = loraModel(targets: [.query, .value])
  let tensors = model.checkpointTensors()
  let names = Set(tensors.map(\.name))
  #expect(names.contains("encoder.layer.0.attention.self.query.lora_A.weight"))
  #expect(names.contains("encoder.layer.1.attention.self.value.lora_B.weight"))
  #expect(names.contains("classifier.weight") && names.contains("pooler.dense.weight"))
  #expect(!names.contains("encoder.layer.0.attention.self.query.weight"))
  #expect(!names.contains { $0.hasPrefix("embeddings.") })
  #expect(names.count == 2 * 2 * 2 + 4)

  // Rebuilt over the same base weights, the checkpoint gives the same model.
  let file = try SafeTensors.read(data: SafeTensors.encode(tensors), source: "lora.safetensors")
  let other = BertClassifier(config: loraConfig, classes: 3, pooling: .cls, seed: 3)
  var rng = SplitMix64(seed: 3 &+ 100)
  randomizeAll(other.store, rng: &rng)
  other.enableLoRA(LoRASettings(rank: 2, alpha: 6, dropout: 0, targets: [.query, .value]), seed: 42)
  #expect(other.forward(loraBatch, training: false) != model.forward(loraBatch, training: false))
  try other.load(file, path: "lora.safetensors")
  #expect(other.forward(loraBatch, training: false) == model.forward(loraBatch, training: false))

  // A checkpoint without an adapter is refused, naming it.
  let partial = try SafeTensors.read(
    data: SafeTensors.encode(tensors.filter { !$0.name.hasPrefix("encoder.layer.1") }), source: "partial")
  #expect(throws: CheckpointMismatchError.self) { try other.load(partial, path: "partial") }
}

@Test func loraKeysAreRangeChecked() throws {
  var settings = HyperParameters()
  #expect(settings.method == "full" && settings.loraRank == 8 && settings.loraAlpha == 16)
  #expect(settings.loraDropout == 0.1 && settings.loraTargets == ["query", "value"])
  func error(_ key: ConfigKey, _ text: String) -> String? {
    do {
      _ = try key.parse(text)
      return nil
    } catch {
      return error.message
    }
  }
  #expect(error(.loraTargets, "query, attention.output.dense, output.dense") == nil)
  #expect(
    error(.loraTargets, "query, dense")
      == "lora_targets must be a list of query, key, value, attention.output.dense, intermediate.dense, "
      + "output.dense, got \"dense\"")
  #expect(error(.loraTargets, "") == "lora_targets must list at least 1, got none")
  #expect(error(.loraTargets, "query,query") == "lora_targets lists query more than once")
  #expect(error(.loraRank, "0") == "lora_rank must be an integer in 1…1024, got 0")
  #expect(error(.loraDropout, "1") != nil)
  #expect(error(.loraAlpha, "0") != nil)
  #expect(error(.method, "qlora") == "method must be one of full, lora, got qlora")
  settings.loraTargets = ["value", "nope"]
  #expect(throws: ConfigError.self) { try settings.validate() }
}

@Test func loraSettingsComeFromTheKeysAndRoundTripThroughCheckpointMetadata() throws {
  var hyperParameters = HyperParameters()
  #expect(LoRASettings(hyperParameters) == nil)
  hyperParameters.method = "lora"
  hyperParameters.loraRank = 4
  hyperParameters.loraAlpha = 12
  hyperParameters.loraDropout = 0.05
  hyperParameters.loraTargets = ["value", "intermediate.dense"]
  let settings = try #require(LoRASettings(hyperParameters))
  #expect(settings == LoRASettings(rank: 4, alpha: 12, dropout: 0.05, targets: [.value, .intermediate]))
  #expect(settings.scale == 3)
  #expect(try LoRASettings(metadata: settings.metadata, path: "c") == settings)
  #expect(try LoRASettings(metadata: ["format": "tunetop-bert"], path: "c") == nil)
  var broken = settings.metadata
  broken[LoRASettings.targetsKey] = "value,mlp"
  #expect(
    throws: CheckpointMismatchError(
      path: "c", message: "metadata lora_targets is \"value,mlp\"; not a LoRA setting")
  ) {
    try LoRASettings(metadata: broken, path: "c")
  }
}
