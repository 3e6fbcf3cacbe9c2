import Foundation
import Testing

@testable import Training

/// `HuggingFaceExport` on the tiny random BERT folder of the parity fixture: the folder it writes
/// reads back (through tunetop's own Hugging Face loader) as the same classifier, LoRA merged.
private let exportBatch = TokenBatch(sequences: [[2, 17, 40, 9, 3], [2, 55, 3], [2, 8, 8, 61, 70, 12, 3]])

/// A LoRA classifier over the tiny folder whose adapters and head are no longer at their start.
private func trainedLoRAModel(pooling: BertPooling) throws -> BertClassifier {
  let model = try BertClassifier(
    folder: try BertModelFolder(directory: try TinyBert.fixture()), classes: 3, pooling: pooling, seed: 4)
  model.enableLoRA(
    LoRASettings(rank: 4, alpha: 8, dropout: 0.1, targets: [.query, .value, .output]), seed: 2)
  var rng = SplitMix64(seed: 31)
  for (index, tensor) in model.store.tensors.enumerated() where !model.store.fixed[index] {
    model.store.setValues((0..<tensor.count).map { _ in rng.nextGaussian() * 0.3 }, of: index)
  }
  return model
}

private func temporaryDirectory() -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-export-\(UUID().uuidString)")
}

private func json(_ url: URL) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

@Test(arguments: [BertPooling.cls, .mean])
func exportedFolderReloadsAsTheSameClassifier(pooling: BertPooling) throws {
  let model = try trainedLoRAModel(pooling: pooling)
  let expected = model.forward(exportBatch, training: false)
  let root = temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: root) }
  let out = root.appendingPathComponent("exported")
  try HuggingFaceExport(
    model: model, classNames: ["animal", "food", "plant"], baseFolder: try TinyBert.fixture(),
    maxSequenceLength: 16
  ).write(to: out, force: false)

  let config = try json(out.appendingPathComponent("config.json"))
  #expect(config["architectures"] as? [String] == ["BertForSequenceClassification"])
  #expect(config["id2label"] as? [String: String] == ["0": "animal", "1": "food", "2": "plant"])
  #expect(config["label2id"] as? [String: Int] == ["animal": 0, "food": 1, "plant": 2])
  #expect(config["hidden_size"] as? Int == 32 && config["pad_token_id"] as? Int == 0)
  #expect(
    FileManager.default.contentsEqual(
      atPath: out.appendingPathComponent("vocab.txt").path,
      andPath: try TinyBert.fixture().appendingPathComponent("vocab.txt").path))
  #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer_config.json").path))

  let weights = try SafeTensors.read(from: out.appendingPathComponent("model.safetensors"))
  #expect(!weights.names.contains { $0.contains("lora_") })
  #expect(weights.names.contains("bert.encoder.layer.1.attention.self.query.weight"))
  #expect(weights.names.contains("classifier.weight") && weights.names.contains("bert.pooler.dense.weight"))
  #expect(!weights.names.contains { !$0.hasPrefix("bert.") && !$0.hasPrefix("classifier.") })

  // Read back as any Hugging Face folder is: the same logits as the adapters gave.
  let folder = try BertModelFolder(directory: out)
  #expect(folder.config.labels == ["animal", "food", "plant"])
  let reloaded = try BertClassifier(folder: folder, classes: 3, pooling: pooling, seed: 99)
  try reloaded.load(folder.weights, path: folder.weightsURL.path)
  let logits = reloaded.forward(exportBatch, training: false)
  let worst = zip(expected.storage, logits.storage).map { abs($0 - $1) }.max()!
  #expect(worst < 1e-4, "exported logits differ by \(worst)")

  let sentenceTransformers = ["modules.json", "sentence_bert_config.json", "1_Pooling/config.json"]
  for name in sentenceTransformers {
    #expect(
      FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path) == (pooling == .mean))
  }
  if pooling == .mean {
    let poolingConfig = try json(out.appendingPathComponent("1_Pooling/config.json"))
    #expect(poolingConfig["pooling_mode_mean_tokens"] as? Bool == true)
    #expect(poolingConfig["pooling_mode_cls_token"] as? Bool == false)
    #expect(poolingConfig["word_embedding_dimension"] as? Int == 32)
  }
  // Nothing but the folder is left beside it.
  #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["exported"])
}

@Test func exportRefusesANonEmptyFolderUnlessForced() throws {
  let model = try trainedLoRAModel(pooling: .cls)
  let root = temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: root) }
  let out = root.appendingPathComponent("out")
  try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
  try Data("keep".utf8).write(to: out.appendingPathComponent("notes.txt"))
  let export = HuggingFaceExport(
    model: model, classNames: ["a", "b", "c"], baseFolder: try TinyBert.fixture(), maxSequenceLength: 16)
  #expect(
    throws: ModelExportError("\(out.path) is not empty; choose another --out or pass --force to replace it")
  ) {
    try export.write(to: out, force: false)
  }
  #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["notes.txt"])
  #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out"])

  try export.write(to: out, force: true)
  #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
  #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
  #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out"])

  // A base folder without a vocabulary writes nothing.
  let empty = root.appendingPathComponent("empty-base")
  try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
  let other = root.appendingPathComponent("other")
  #expect(throws: ModelExportError.self) {
    try HuggingFaceExport(
      model: model, classNames: ["a", "b", "c"], baseFolder: empty, maxSequenceLength: 16
    )
    .write(to: other, force: false)
  }
  #expect(!FileManager.default.fileExists(atPath: other.path))
}
