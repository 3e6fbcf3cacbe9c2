import Foundation
import Testing

@testable import Training

/// Tiny random BERT folders and a text task written into a scratch directory, for the CLI tests.
enum TinyBert {
  /// A folder `name` holding only a `vocab.txt` of `tokens`, one a line (id = position).
  static func vocabularyFolder(_ tokens: [String], in scratch: Scratch, name: String) throws -> URL {
    let folder = scratch.url.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try (tokens.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
    return folder
  }

  /// A random 2-block BERT folder `tiny-bert` (config.json, model.safetensors, vocab.txt of the special
  /// tokens and `w0`…`w34`) and `texts.csv`: 48 texts of those words labelled even or odd.
  static func textTask(in scratch: Scratch) throws -> (folder: URL, csv: URL) {
    let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0..<35).map { "w\($0)" }
    let folder = try vocabularyFolder(words, in: scratch, name: "tiny-bert")
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
    let csv = scratch.url.appendingPathComponent("texts.csv")
    var lines = ["text,label"]
    for index in 0..<48 {
      let label = index % 2 == 0 ? "even" : "odd"
      lines.append("w\(index % 2) w\(2 + index % 30) w\(index % 2 + 4),\(label)")
    }
    try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
    return (folder, csv)
  }
}
