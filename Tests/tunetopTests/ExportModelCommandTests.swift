import Foundation
import Testing

@testable import Training

/// `tunetop export-model` as a user runs it: a LoRA text run on a tiny random BERT folder made
/// here, exported once, then the refusals (exit 2, nothing written).
@Suite struct ExportModelCommandTests {
  @Test func exportsALoRARunAndRefusesBadInputWritingNothing() throws {
    let scratch = Scratch()
    let (folder, csv) = try TinyBert.textTask(in: scratch)
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
