import ArgumentParser
import Foundation
import Training

/// The options that name a trained run and one of its checkpoints, shared by `predict` and
/// `export-model`.
struct TrainedRunOptions: ParsableArguments {
  @Option(
    name: .customLong("run"),
    help: ArgumentHelp("The run: a path, a name, or a unique part of one.", valueName: "run"))
  var runReference: String

  @Option(name: .long, help: ArgumentHelp("best, last or epoch-N.", valueName: "which"))
  var checkpoint: String = "best"

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  /// The run's directory and the chosen checkpoint's file; throws when either cannot be found.
  func locate() throws -> (run: URL, checkpoint: URL) {
    let run = try RunLocator(runs: URL(fileURLWithPath: runs)).locate(runReference)
    return (run, try Predictor.checkpointURL(run: run, choice: checkpoint))
  }
}
