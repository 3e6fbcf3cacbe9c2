import Foundation
import Training

/// `tunetop-bench bert-export --model DIR --pooling mean|cls --out DIR --texts FILE [--lora-rank R]
/// [--seed N] [--classes C] [--max-len L]`: the parity tool behind `Benchmarks/bert_parity.py`.
///
/// Builds the model folder's encoder with a seeded random head (and, with `--lora-rank`, LoRA
/// adapters on query and value whose B is drawn non-zero, as after training, so the merge is
/// exercised), writes it with `HuggingFaceExport` to `--out`, and prints tunetop's class
/// probabilities for each line of `--texts` as one JSON array per line.
func runBertExportParity(arguments: [String]) {
  guard let modelPath = optionValue("--model", in: arguments), let out = optionValue("--out", in: arguments),
    let textsPath = optionValue("--texts", in: arguments),
    let pooling = BertPooling(rawValue: optionValue("--pooling", in: arguments) ?? "mean")
  else {
    FileHandle.standardError.write(
      Data(
        ("usage: tunetop-bench bert-export --model DIR --pooling mean|cls --out DIR --texts FILE "
          + "[--lora-rank R] [--seed N] [--classes C] [--max-len L]\n").utf8))
    exit(2)
  }
  let seed = UInt64(intOption("--seed", in: arguments) ?? 1)
  let classes = intOption("--classes", in: arguments) ?? 4
  let maxLength = intOption("--max-len", in: arguments) ?? 128
  do {
    let folderURL = URL(fileURLWithPath: modelPath)
    let folder = try BertModelFolder(directory: folderURL)
    let model = try BertClassifier(folder: folder, classes: classes, pooling: pooling, seed: seed)
    // The classifier's N(0, 0.02) start gives near-uniform probabilities; a wider head makes the
    // comparison sensitive to the encoder.
    var rng = SplitMix64(seed: seed &+ 7)
    for name in ["classifier.weight", "classifier.bias"] {
      let index = model.store.index(of: name)!
      model.store.setValues((0..<model.store.tensors[index].count).map { _ in rng.nextGaussian() }, of: index)
    }
    if let rank = intOption("--lora-rank", in: arguments) {
      model.enableLoRA(LoRASettings(rank: rank, alpha: Float(2 * rank), dropout: 0.1), seed: seed &+ 11)
      for (index, tensor) in model.store.tensors.enumerated() where tensor.name.hasSuffix(".lora_B.weight") {
        model.store.setValues((0..<tensor.count).map { _ in rng.nextGaussian() * 0.05 }, of: index)
      }
    }
    let names = (0..<classes).map { "class\($0)" }
    try HuggingFaceExport(
      model: model, classNames: names, baseFolder: folderURL, maxSequenceLength: maxLength
    )
    .write(to: URL(fileURLWithPath: out), force: true)

    let tokenizer = try BertTokenizer(folder: folderURL)
    let texts = try String(contentsOfFile: textsPath, encoding: .utf8).split(separator: "\n").map(String.init)
    var output = ""
    var start = 0
    while start < texts.count {
      let end = min(start + 32, texts.count)
      let batch = TokenBatch(
        sequences: texts[start..<end].map { tokenizer.encode($0, maxLength: maxLength) },
        padding: tokenizer.paddingID)
      let logits = model.forward(batch, training: false)
      for row in 0..<logits.rows {
        let values = (0..<classes).map { Double(logits[row, $0]) }
        let top = values.max()!
        let exps = values.map { exp($0 - top) }
        let total = exps.reduce(0, +)
        output += "[" + exps.map { String($0 / total) }.joined(separator: ",") + "]\n"
      }
      start = end
    }
    FileHandle.standardOutput.write(Data(output.utf8))
  } catch {
    FileHandle.standardError.write(Data("tunetop-bench bert-export: \(error)\n".utf8))
    exit(2)
  }
}
