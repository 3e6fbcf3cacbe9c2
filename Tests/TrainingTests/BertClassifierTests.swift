import Foundation
import Testing

@testable import Training

private let config = BertConfig(
  vocabularySize: 20, hiddenSize: 8, layers: 3, heads: 2, intermediateSize: 16, maxPositions: 8,
  hiddenDropout: 0.1, attentionDropout: 0.1)

private let batch = TokenBatch(sequences: [[2, 5, 7, 9, 3], [2, 11, 3], [2, 4, 6, 8, 10, 3]])
private let labels = [0, 2, 1]

/// Gradients of one training step (dropout off) with `frozen` groups.
private func gradients(frozen: Set<String>, seed: UInt64 = 1) -> (model: BertClassifier, gradients: [Float]) {
  let model = BertClassifier(config: config, classes: 3, pooling: .cls, seed: seed)
  model.dropout = 0
  for group in frozen { model.store.setFrozen(true, group: group) }
  model.store.zeroGradients()
  let logits = model.forward(batch, training: true)
  model.backward(SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: labels).gradient)
  return (model, model.store.gradients)
}

private func groupGradient(_ model: BertClassifier, _ values: [Float], _ group: String) -> [Float] {
  model.store.tensors.filter { $0.group == group }.flatMap { values[$0.range] }
}

@Test func bertGroupsRunBottomToTopWithHuggingFaceNames() {
  let model = BertClassifier(config: config, classes: 3, pooling: .cls, seed: 1)
  #expect(model.groupNames == ["embeddings", "block0", "block1", "block2", "head"])
  #expect(model.store.groups == model.groupNames)
  let names = model.store.tensors.map(\.name)
  #expect(names.contains("encoder.layer.2.attention.self.value.weight"))
  #expect(model.store.tensors.first { $0.name == "pooler.dense.weight" }?.group == "head")
  let mean = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 1)
  #expect(!mean.store.tensors.contains { $0.name.hasPrefix("pooler.") })
  #expect(model.forward(batch, training: false).rows == 3)
}

@Test func frozenGroupsGetNoGradientsAndTheRestAreUnchanged() {
  let (full, all) = gradients(frozen: [])
  // Frozen bottom: nothing below block1 is touched; block1 and up are as in the full backward.
  let (model, partial) = gradients(frozen: ["embeddings", "block0"])
  for group in ["embeddings", "block0"] {
    #expect(groupGradient(model, partial, group).allSatisfy { $0 == 0 }, "\(group) should get no gradient")
  }
  for group in ["block1", "block2", "head"] {
    #expect(groupGradient(model, partial, group) == groupGradient(full, all, group), "\(group) changed")
    #expect(groupGradient(model, partial, group).contains { $0 != 0 })
  }
  // A frozen group above trainable ones passes the gradient through without its own.
  let (middle, through) = gradients(frozen: ["block1", "head"])
  for group in ["block1", "head"] { #expect(groupGradient(middle, through, group).allSatisfy { $0 == 0 }) }
  for group in ["embeddings", "block0", "block2"] {
    #expect(groupGradient(middle, through, group) == groupGradient(full, all, group), "\(group) changed")
  }
  // Everything frozen: backward does nothing.
  let (_, none) = gradients(frozen: Set(full.groupNames))
  #expect(none.allSatisfy { $0 == 0 })
}

@Test func dropoutStatesResumeTheSameMasks() {
  let first = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 4)
  let second = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 4)
  _ = first.forward(batch, training: true)
  let saved = first.dropoutRNGStates
  #expect(saved.count == 1 + 3 * config.layers + 1)
  let next = first.forward(batch, training: true)
  second.dropoutRNGStates = saved
  #expect(second.forward(batch, training: true) == next)
  // Dropout really acts in training, and setting the rate to 0 turns every dropout off.
  let evaluation = second.forward(batch, training: false)
  #expect(second.forward(batch, training: true) != evaluation)
  second.dropout = 0
  #expect(second.forward(batch, training: true) == evaluation)
}

@Test func workspacesAreReusedAcrossSteps() {
  let model = BertClassifier(config: config, classes: 3, pooling: .cls, seed: 2)
  let step = { (batch: TokenBatch) in
    model.store.zeroGradients()
    let logits = model.forward(batch, training: true)
    model.backward(
      SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: Array(labels.prefix(batch.count)))
        .gradient)
  }
  step(batch)
  let before = (
    model.embeddings.output.pointer, model.attentions[1].output.pointer, model.feedForwards[2].output.pointer
  )
  // A shorter batch (padded to its own longest sequence) fits in the buffers of the longer one.
  step(TokenBatch(sequences: [[2, 5, 3], [2, 3]]))
  step(batch)
  #expect(model.embeddings.output.pointer == before.0)
  #expect(model.attentions[1].output.pointer == before.1)
  #expect(model.feedForwards[2].output.pointer == before.2)
}

@Test func paddingDoesNotChangeASequencesOutput() {
  let model = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 6)
  let alone = model.forward(TokenBatch(sequences: [[2, 11, 3]]), training: false)
  let padded = model.forward(batch, training: false)
  for j in 0..<3 { #expect(abs(alone[0, j] - padded[1, j]) < 1e-5) }
}

// MARK: config.json and the model folder

private func configError(_ json: String) -> String? {
  do {
    _ = try BertConfig(json: Array(json.utf8), path: "m/config.json")
    return nil
  } catch {
    return error.description
  }
}

private let validConfig = """
  {"model_type": "bert", "vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2,
   "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 32,
   "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
   "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.0,
   "id2label": {"1": "POSITIVE", "0": "NEGATIVE"}}
  """

@Test func bertConfigReadsHuggingFaceKeys() throws {
  let parsed = try BertConfig(json: Array(validConfig.utf8), path: "config.json")
  #expect(parsed.hiddenSize == 32 && parsed.layers == 2 && parsed.heads == 4 && parsed.headSize == 8)
  #expect(parsed.intermediateSize == 64 && parsed.maxPositions == 32 && parsed.vocabularySize == 100)
  #expect(parsed.layerNormEpsilon == 1e-12 && parsed.hiddenDropout == 0.1 && parsed.attentionDropout == 0)
  #expect(parsed.labels == ["NEGATIVE", "POSITIVE"])
}

@Test func bertConfigErrorsNameTheFileTheKeyAndWhatIsValid() {
  func with(_ old: String, _ new: String) -> String { validConfig.replacingOccurrences(of: old, with: new) }
  #expect(
    configError(with(#""model_type": "bert""#, #""model_type": "roberta""#))
      == #"m/config.json: "model_type" is "roberta"; tunetop loads only "bert" (BERT-family encoders)"#)
  #expect(
    configError(with(#""hidden_act": "gelu""#, #""hidden_act": "gelu_new""#))
      == #"m/config.json: "hidden_act" is "gelu_new"; tunetop supports "gelu" (exact erf GELU)"#)
  #expect(
    configError(with(#""vocab_size": 100, "#, ""))
      == #"m/config.json: "vocab_size" is missing; a BERT config needs it (a positive integer)"#)
  #expect(
    configError(with(#""hidden_size": 32"#, #""hidden_size": 30"#))?.contains(
      "\"hidden_size\" 30 is not a multiple of \"num_attention_heads\" 4") == true)
  #expect(
    configError(with(#""intermediate_size": 64"#, #""intermediate_size": -1"#))
      == #"m/config.json: "intermediate_size" is -1; expected a positive integer"#)
  #expect(
    configError(with(#""hidden_dropout_prob": 0.1"#, #""hidden_dropout_prob": 1.5"#))
      == #"m/config.json: "hidden_dropout_prob" is 1.5; expected a probability in [0, 1)"#)
  #expect(
    configError(with(#""1": "POSITIVE""#, #""7": "POSITIVE""#))
      == #"m/config.json: "id2label" has key "7"; expected the indices 0…1"#)
  #expect(configError("[1]") == "m/config.json: is an array; expected a JSON object")
  #expect(configError("{") != nil)
}

@Test func modelFolderErrorsNameTheMissingFileAndTensor() throws {
  let scratch = ScratchDirectory()
  let folder = try TinyBert.copy(into: scratch.url)

  let vocabulary = folder.appendingPathComponent("vocab.txt")
  try FileManager.default.moveItem(at: vocabulary, to: folder.appendingPathComponent("vocab.bak"))
  #expect(
    throws: ModelFolderError(
      path: folder.path,
      message: "has no vocab.txt; a model folder needs config.json, model.safetensors, vocab.txt")
  ) { try BertModelFolder(directory: folder) }
  try FileManager.default.moveItem(at: folder.appendingPathComponent("vocab.bak"), to: vocabulary)

  // A config that disagrees with the weights: the error names the weights file, the tensor and both shapes.
  let loaded = try BertModelFolder(directory: folder)
  var wider = loaded.config
  wider.intermediateSize = 48
  let model = BertClassifier(config: wider, classes: 2, pooling: .mean, seed: 1)
  #expect(
    throws: ModelFolderError(
      path: loaded.weightsURL.path,
      message:
        "tensor encoder.layer.0.intermediate.dense.weight: expected shape 48×32 from config.json, file has 64×32"
    )
  ) { try model.loadPretrained(loaded) }

  // A tensor missing from the weights.
  let kept = loaded.weights.tensors.filter { $0.name != "encoder.layer.1.output.dense.bias" }
  try SafeTensors.write(kept, to: loaded.weightsURL)
  let missing = try BertModelFolder(directory: folder)
  #expect(
    throws: ModelFolderError(
      path: missing.weightsURL.path,
      message:
        "tensor encoder.layer.1.output.dense.bias is missing (also looked for bert.encoder.layer.1.output.dense.bias)"
    )
  ) { try BertClassifier(folder: missing, classes: 2, pooling: .mean, seed: 1) }

  // Another model type is refused at config.json.
  try Data(#"{"model_type": "gpt2"}"#.utf8).write(to: loaded.configURL)
  #expect(throws: ModelFolderError.self) { try BertModelFolder(directory: folder) }
}

@Test func prefixedHuggingFaceNamesLoadToo() throws {
  let folder = try BertModelFolder(directory: try TinyBert.fixture())
  let prefixed = SafeTensorsFile(
    tensors: folder.weights.tensors.map {
      NamedTensor(name: "bert." + $0.name, shape: $0.shape, values: $0.values)
    },
    metadata: [:])
  let direct = try BertClassifier(folder: folder, classes: 2, pooling: .cls, seed: 1)
  let other = BertClassifier(config: folder.config, classes: 2, pooling: .cls, seed: 1)
  try other.load(prefixed, path: "prefixed.safetensors", skipping: ["head"])
  try other.load(
    SafeTensorsFile(
      tensors: direct.checkpointTensors().filter {
        $0.name.hasPrefix("pooler") || $0.name.hasPrefix("classifier")
      }, metadata: [:]),
    path: "head.safetensors", skipping: ["embeddings", "block0", "block1"])
  #expect(other.store.values == direct.store.values)
}

@Test func evaluationAveragesOverSequencesNotBatches() {
  let model = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 8)
  let single = TokenBatch(sequences: [[2, 11, 3]])
  let whole = model.evaluate(batches: [batch], labels: [labels])
  let split = model.evaluate(
    batches: [
      TokenBatch(sequences: [[2, 5, 7, 9, 3]]), single, TokenBatch(sequences: [[2, 4, 6, 8, 10, 3]]),
    ],
    labels: [[0], [2], [1]])
  #expect(abs(whole.loss - split.loss) < 1e-5)
  #expect(whole.accuracy == split.accuracy)
  let logits = model.forward(batch, training: false)
  #expect(abs(whole.loss - SoftmaxCrossEntropy().evaluate(logits: logits, labels: labels).loss) < 1e-9)
  #expect(model.evaluate(batches: [], labels: []) == (0, 0))
}
