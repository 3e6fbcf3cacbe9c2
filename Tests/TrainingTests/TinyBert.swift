import Foundation
import Testing

@testable import Training

/// The tiny random BERT folders of `Fixtures/bert` (make_bert_fixture.py), to load or to copy and change.
enum TinyBert {
  /// The fixture folder `name`: `tiny` (2 blocks, hidden 32, 32 positions, vocabulary `w0`…`w94`) or
  /// `tiny-fp16`, the same weights in float16.
  static func fixture(_ name: String = "tiny") throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/bert/\(name)", withExtension: nil))
  }

  /// A copy of the `tiny` folder at `directory/tiny-bert`, for tests that change or remove its files.
  static func copy(into directory: URL) throws -> URL {
    let folder = directory.appendingPathComponent("tiny-bert")
    try FileManager.default.copyItem(at: try fixture(), to: folder)
    return folder
  }
}

/// A copy of the tiny random BERT folder (`TinyBert.copy`) in a scratch directory, and a text task it
/// can learn: each class has words of its own, mixed with shared noise words.
final class TinyTextTask {
  let scratch = ScratchDirectory()
  let folder: URL
  let csv: URL
  static let classes = ["animal", "plant", "tool"]

  init(textsPerClass: Int = 40) throws {
    folder = try TinyBert.copy(into: scratch.url)
    csv = scratch.url.appendingPathComponent("texts.csv")
    var rng = SplitMix64(seed: 5)
    var lines = ["id,text,label"]
    for (index, name) in Self.classes.enumerated() {
      for sample in 0..<textsPerClass {
        let words = (0..<(3 + Int(rng.next() % 6))).map { position in
          position % 2 == 0
            ? "W\(5 + index * 10 + Int(rng.next() % 10))" : "w\(50 + Int(rng.next() % 10))"
        }
        lines.append("\(index * 1000 + sample),\"\(words.joined(separator: " ")), end\",\(name)")
      }
    }
    try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
  }

  /// Settings of a short run on the task; `overrides` win.
  func settings(_ overrides: [String] = []) throws -> HyperParameters {
    try HyperParameters().applying(
      overrides: [
        "task=\(csv.path)", "base_model=\(folder.path)", "learning_rate=3e-3", "batch_size=8", "epochs=6",
        "warmup_epochs=0", "early_stopping_patience=0", "max_seq_len=16",
      ] + overrides)
  }
}
