import Foundation
import Testing

@testable import Training

/// `tunetop export-model` as a user runs it: a LoRA text run on a tiny random BERT folder made
/// here, exported once, then the refusals (exit 2, nothing written).
@Suite struct ExportModelCommandTests {
  /// A random 2-block BERT folder (config.json, model.safetensors, vocab.txt) and a text CSV.
  func tinyTextTask(in scratch: Scratch) throws -> (folder: URL, csv: URL) {
    let folder = scratch.url.appendingPathComponent("tiny-bert")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let config = BertConfig(
      vocabularySize: 40, hiddenSize: 16, layers: 2, heads: 2, intermediateSize: 32, maxPositions: 24)
    let model = BertClassifier(config: config, classes: 2, pooling: .cls, seed: 3)
    try SafeTensors.write(
      model.checkpointTensors().filter { !$0.name.hasPrefix("classifier.") },
      to: folder.appendingPathComponent("model.safetensors"))
    try """
    {"model_type": "bert", "vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2,
     "num_attention_heads": 2, "intermediate_size": 32, "max_position_embeddings": 24,
     "hidden_act": "gelu", "pad_token_id": 0}
    """.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0..<35).map { "w\($0)" }
    try (words.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
    let csv = scratch.url.appendingPathComponent("texts.csv")
    var lines = ["text,label"]
    for index in 0..<48 {
      let label = index % 2 == 0 ? "even" : "odd"
      lines.append("w\(index % 2) w\(2 + index % 30) w\(index % 2 + 4),\(label)")
    }
    try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
    return (folder, csv)
  }

  @Test func exportsALoRARunAndRefusesBadInputWritingNothing() throws {
    let scratch = Scratch()
    let (folder, csv) = try tinyTextTask(in: scratch)
    let train = try CLI.run(
      [
        "train", "--runs", "runs", "--name", "lora", "--set", "task=\(csv.path)", "--set",
        "base_model=\(folder.path)", "--set", "method=lora", "--set", "epochs=1", "--set", "warmup_epochs=0",
        "--set", "max_seq_len=8", "--set", "batch_size=8", "--set", "pooling=mean",
      ], in: scratch.url)
    #expect(train.status == 0, "\(train.error)")

    let exported = try CLI.run(["export-model", "--run", "lora", "--out", "model"], in: scratch.url)
    #expect(exported.status == 0, "\(exported.error)")
    #expect(exported.error.contains("LoRA rank 8 merged"))
    let out = scratch.url.appendingPathComponent("model")
    for name in ["config.json", "model.safetensors", "vocab.txt", "modules.json", "1_Pooling/config.json"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
    }
    let config = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
    #expect(config.contains("\"even\"") && config.contains("BertForSequenceClassification"))
    let weights = try SafeTensors.read(from: out.appendingPathComponent("model.safetensors"))
    #expect(!weights.names.contains { $0.contains("lora_") })

    let again = try CLI.run(["export-model", "--run", "lora", "--out", "model"], in: scratch.url)
    #expect(again.status == 2)
    #expect(again.error.contains("is not empty; choose another --out or pass --force"))
    for arguments in [
      ["export-model", "--run", "nosuch", "--out", "other"],
      ["export-model", "--run", "lora", "--checkpoint", "epoch-99", "--out", "other"],
      ["export-model", "--run", "lora", "--checkpoint", "worst", "--out", "other"],
    ] {
      let result = try CLI.run(arguments, in: scratch.url)
      #expect(result.status == 2, "\(arguments)")
      #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("other").path))
    }
    let forced = try CLI.run(["export-model", "--run", "lora", "--out", "model", "--force"], in: scratch.url)
    #expect(forced.status == 0, "\(forced.error)")
  }
}
