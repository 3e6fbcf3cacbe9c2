import Foundation
import Testing

@testable import Training

/// Compares the encoder with Hugging Face's BertModel on the tiny random model that
/// Fixtures/bert/make_bert_fixture.py saved, with its outputs and torch autograd gradients.
private enum BertFixture {
  static func folder(_ name: String) throws -> BertModelFolder {
    try BertModelFolder(directory: try TinyBert.fixture(name))
  }

  static let expected: SafeTensorsFile = {
    let url = Bundle.module.url(forResource: "Fixtures/bert/expected", withExtension: "safetensors")!
    return try! SafeTensors.read(from: url)
  }()

  static func values(_ name: String) -> [Float] { expected[name]!.values }

  static func batch(_ index: Int) -> (batch: TokenBatch, labels: [Int]) {
    let prefix = "batch\(index)"
    let lengths = values("\(prefix).lengths").map { Int($0) }
    let ids = values("\(prefix).input_ids").map { Int32($0) }
    let types = expected["\(prefix).token_type_ids"].map { $0.values.map { Int32($0) } }
    let batch = TokenBatch(
      tokens: ids, lengths: lengths, length: ids.count / lengths.count, tokenTypes: types)
    return (batch, values("\(prefix).labels").map { Int($0) })
  }

  /// A classifier on the fixture's weights with the fixed head the fixture used for `pooling`.
  static func model(_ folder: BertModelFolder, pooling: BertPooling) throws -> BertClassifier {
    let model = try BertClassifier(folder: folder, classes: 3, pooling: pooling, seed: 9)
    for name in ["classifier.weight", "classifier.bias"] {
      model.store.setValues(values("head.\(pooling).\(name)"), of: model.store.index(of: name)!)
    }
    return model
  }
}

/// Largest |a - b| relative to the largest |b|.
private func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
  precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
  let scale = Double(b.map { abs($0) }.max() ?? 0)
  let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
  return scale == 0 ? worst : worst / scale
}

@Test(arguments: [BertPooling.cls, .mean])
func bertOutputsMatchHuggingFace(pooling: BertPooling) throws {
  let model = try BertFixture.model(try BertFixture.folder("tiny"), pooling: pooling)
  let loss = SoftmaxCrossEntropy()
  for index in 0..<2 {
    let (batch, labels) = BertFixture.batch(index)
    let logits = model.forward(batch, training: false)
    let prefix = "batch\(index)"
    let hidden = maxRelativeDifference(
      model.lastHiddenStates().storage, BertFixture.values("\(prefix).last_hidden_state"))
    #expect(hidden < 1e-5, "batch \(index) last hidden state off by \(hidden)")
    let pooled = maxRelativeDifference(
      model.pooledVectors().storage, BertFixture.values("\(prefix).\(pooling).pooled"))
    #expect(pooled < 1e-5, "batch \(index) \(pooling) pooled off by \(pooled)")
    let logitDifference = maxRelativeDifference(
      logits.storage, BertFixture.values("\(prefix).\(pooling).logits"))
    #expect(logitDifference < 1e-5, "batch \(index) logits off by \(logitDifference)")
    let value = loss.evaluate(logits: logits, labels: labels).loss
    let reference = Double(BertFixture.values("\(prefix).\(pooling).loss")[0])
    #expect(abs(value - reference) < 1e-5 * max(1, abs(reference)), "loss \(value) vs \(reference)")
  }
}

@Test(arguments: [BertPooling.cls, .mean])
func bertGradientsMatchTorchAutograd(pooling: BertPooling) throws {
  let model = try BertFixture.model(try BertFixture.folder("tiny"), pooling: pooling)
  let (batch, labels) = BertFixture.batch(0)
  model.store.zeroGradients()
  let logits = model.forward(batch, training: false)
  model.backward(SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: labels).gradient)
  let prefix = "batch0.\(pooling).grad."
  let names = BertFixture.expected.names.filter { $0.hasPrefix(prefix) }
  #expect(names.count >= 7)
  for name in names {
    let parameter = String(name.dropFirst(prefix.count))
    let index = try #require(model.store.index(of: parameter))
    let ours = Array(model.store.gradients[model.store.tensors[index].range])
    let reference = BertFixture.values(name)
    let error = GradientCheck.relativeError(ours, reference.map(Double.init))
    #expect(error < 1e-4, "\(parameter): relative error \(error)")
    #expect(
      reference.contains { $0 != 0 }, "\(parameter): reference gradient is zero, the check proves nothing")
  }
}

@Test func bertHalfPrecisionWeightsAreWidenedOnLoad() throws {
  let full = try BertFixture.folder("tiny")
  let half = try BertFixture.folder("tiny-fp16")
  let name = "encoder.layer.0.attention.self.query.weight"
  let reference = try #require(full.weights[name]).values
  let widened = try #require(half.weights[name]).values
  // float16 keeps 11 significant bits: each value within 2⁻¹¹ relative of the float32 one.
  for (a, b) in zip(widened, reference) { #expect(abs(a - b) <= abs(b) * 0x1p-11 + 1e-7) }
  #expect(widened != reference, "the fp16 copy should differ from the float32 weights by rounding")

  // The fp16 model's outputs follow Hugging Face's float32 outputs to fp16 rounding.
  let model = try BertFixture.model(half, pooling: .cls)
  let (batch, _) = BertFixture.batch(0)
  let logits = model.forward(batch, training: false)
  let difference = maxRelativeDifference(logits.storage, BertFixture.values("batch0.cls.logits"))
  #expect(difference < 2e-2, "fp16 logits off by \(difference)")
  #expect(difference > 0)
}

@Test func bertCheckpointRoundTripsUnderHuggingFaceNames() throws {
  let model = try BertFixture.model(try BertFixture.folder("tiny"), pooling: .cls)
  let tensors = model.checkpointTensors()
  let names = Set(tensors.map(\.name))
  #expect(names.contains("embeddings.word_embeddings.weight"))
  #expect(names.contains("encoder.layer.1.output.LayerNorm.bias"))
  #expect(names.contains("pooler.dense.weight"))
  #expect(names.contains("classifier.weight"))
  let file = try SafeTensors.read(data: SafeTensors.encode(tensors), source: "memory")
  let other = BertClassifier(config: model.config, classes: 3, pooling: .cls, seed: 123)
  try other.load(file, path: "memory")
  #expect(other.store.values == model.store.values)

  // Skipping the head keeps the other model's own head.
  let third = BertClassifier(config: model.config, classes: 3, pooling: .cls, seed: 77)
  let headBefore = third.store.values(of: third.store.index(of: "classifier.weight")!)
  try third.load(file, path: "memory", skipping: ["head"])
  #expect(third.store.values(of: third.store.index(of: "classifier.weight")!) == headBefore)
  let word = third.store.index(of: "embeddings.word_embeddings.weight")!
  #expect(third.store.values(of: word) == model.store.values(of: word))
}
