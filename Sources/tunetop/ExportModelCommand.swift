import ArgumentParser
import Foundation
import Training

/// `tunetop export-model`: a text run's model as a Hugging Face folder (LoRA merged), for
/// transformers and sentence-transformers.
struct ExportModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-model",
    abstract: "Write a text run's model as a Hugging Face folder (LoRA adapters merged).",
    discussion: """
      Writes config.json (BertForSequenceClassification, id2label/label2id from the run's classes), \
      model.safetensors with Hugging Face's names and the base model's tokenizer files. With pooling \
      mean the folder is also a sentence-transformers model, the head beside it as classifier.weight \
      and classifier.bias. The folder is written whole or not at all.
      """)

  @OptionGroup var trainedRun: TrainedRunOptions

  @Option(name: .long, help: ArgumentHelp("The folder to write (created).", valueName: "dir"))
  var out: String

  @Flag(name: .long, help: "Replace --out when it exists and is not empty.")
  var force = false

  func run() throws {
    let written = try failOnBadInput { () throws -> String in
      let (runURL, checkpointURL) = try trainedRun.locate()
      let trained = try TrainedModel.load(run: runURL, checkpoint: checkpointURL)
      guard let model = trained.model as? BertClassifier, let text = trained.text else {
        throw ValidationError(
          "run \(runURL.lastPathComponent) trained a \(trained.model.kind) model; export-model writes text "
            + "(BERT-family) models only")
      }
      let export = HuggingFaceExport(
        model: model, classNames: trained.classes.names, baseFolder: text.tokenizerFolder,
        maxSequenceLength: text.maxSeqLen)
      try export.write(to: URL(fileURLWithPath: out), force: force)
      return "\(runURL.lastPathComponent) (\(trainedRun.checkpoint), pooling \(model.pooling.rawValue)"
        + (model.lora.map { ", LoRA rank \($0.rank) merged" } ?? "") + ")"
    }
    FileHandle.standardError.write(Data("wrote \(out) from \(written)\n".utf8))
  }
}
