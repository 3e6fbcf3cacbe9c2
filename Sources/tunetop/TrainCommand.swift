import ArgumentParser
import Foundation
import Training

/// `tunetop train`: one run without the dashboard, for scripts and long jobs.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train headless and write a run directory.",
    discussion: """
      Exit status: 0 completed or early-stopped, 1 diverged or failed, 2 bad input,
      130 after SIGINT and 143 after SIGTERM (both save `last` and summary.json first).
      """)

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: "Name of the run directory (after the timestamp).")
  var name: String?

  func run() throws {
    let prepared = try failOnBadInput { try PreparedRun.prepare(options.hyperParameters()) }
    let settings = prepared.hyperParameters
    let directory = try failOnBadInput {
      try RunDirectory(
        root: options.runsURL, name: name ?? settings.shortRunName(), hyperParameters: settings)
    }
    let epochs = settings.epochs
    let path = directory.url.path
    let trainer = Trainer(prepared, directory: directory)
    let progress = HeadlessProgress(epochs: epochs, interactive: isatty(STDOUT_FILENO) == 1)
    let (summary, signalled) = superviseHeadless(trainer, progress: progress)
    progress.printSummary(summary, directory: path)
    if signalled != 0 { throw ExitCode(exitStatus(forSignal: signalled)) }
    switch summary.status {
    case .completed, .earlyStopped, .stopped: return
    case .interrupted: throw ExitCode(exitStatus(forSignal: SIGINT))
    default: throw ExitCode(1)
    }
  }
}
