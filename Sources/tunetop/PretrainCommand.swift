import ArgumentParser
import Foundation
import Training

/// `tunetop pretrain`: rebuilds the built-in base model reproducibly from a seed.
struct PretrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pretrain",
    abstract: "Pretrain the base MLP on the clean half of the digits and save it as safetensors.")

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp("Override a pretraining hyperparameter (seed, epochs, …).", valueName: "key=value"))
  var overrides: [String] = []

  @Option(name: .long, help: "Where to write the model.")
  var out: String = BuiltInModel.sourcePath

  func run() throws {
    let prepared = try failOnBadInput {
      try Pretraining.prepare(Pretraining.defaultSettings.applying(overrides: overrides))
    }
    let settings = prepared.hyperParameters
    let trainer = Trainer(prepared, directory: nil)
    let progress = HeadlessProgress(epochs: settings.epochs, interactive: isatty(STDOUT_FILENO) == 1)
    let (summary, signalled) = superviseHeadless(trainer, progress: progress)
    if signalled != 0 { throw ExitCode(exitStatus(forSignal: signalled)) }
    guard summary.status == .completed else {
      FileHandle.standardError.write(Data("tunetop: pretraining ended \(summary.status.rawValue)\n".utf8))
      throw ExitCode(1)
    }
    let metadata = [
      "format": "tunetop-mlp", "recipe": "tunetop pretrain", "seed": String(settings.seed),
      "epochs": String(settings.epochs), "data": "UCI optical digits (clean half), CC BY 4.0",
      "val_accuracy": String(format: "%.4f", summary.bestValidationAccuracy),
    ]
    try SafeTensors.write(trainer.finalModelWeights(), metadata: metadata, to: URL(fileURLWithPath: out))
    print(String(format: "wrote %@ (clean validation accuracy %.3f)", out, summary.testAccuracy ?? .nan))
  }
}
