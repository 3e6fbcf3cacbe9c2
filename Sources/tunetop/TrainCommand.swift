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
      130 after SIGINT and 143 after SIGTERM (both save `last` and summary.json first),
      129 after SIGHUP (finishes the epoch under way and saves it first; under nohup it keeps going).
      """)

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: "Name of the run directory (after the timestamp).")
  var name: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Continue a stopped or interrupted run from its last checkpoint (a path, or a name under --runs).",
      valueName: "run"))
  var resume: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Start a new run from another run's best weights and settings (--set changes them); it records its parent.",
      valueName: "run"))
  var fork: String?

  /// Set by `tunetop search --backend ray`'s trials, so the run is tagged as a trial of its search.
  @Option(name: .customLong("search-id"), help: .hidden)
  var searchID: String?

  @Option(name: .long, help: .hidden)
  var trial: Int?

  @Option(name: .long, help: .hidden)
  var node: String?

  func run() throws {
    if let resume {
      try continueRun(resume)
      return
    }
    let (settings, parent) = try failOnBadInput { () throws -> (HyperParameters, RunParent?) in
      guard let fork else { return (try options.hyperParameters(), nil) }
      guard options.config == nil else {
        throw ValidationError(
          "--fork starts from the parent run's settings; use --set to change them, not --config")
      }
      let plan = try RunFork.plan(run: try RunLocator(runs: options.runsURL).locate(fork))
      let settings = try plan.settings.applying(overrides: options.overrides)
      try settings.validate()
      return (settings, plan.parent)
    }
    let prepared = try failOnBadInput { try PreparedRun.prepare(settings) }
    let resolved = prepared.hyperParameters
    let directory = try failOnBadInput {
      try RunDirectory(
        root: options.runsURL,
        name: name ?? parent.map { RunFork.defaultName(settings: resolved, parent: $0) }
          ?? resolved.shortRunName(),
        hyperParameters: resolved, parent: parent)
    }
    let epochs = resolved.epochs
    let path = directory.url.path
    if let parent { print("forking \(parent.run) from epoch \(parent.epoch)") }
    if let lines = prepared.startLines { print(lines) }
    let trainer = Trainer(
      prepared, directory: directory,
      hooks: {
        var hooks = TrialHooks(search: searchID, trial: trial)
        hooks.node = node
        return hooks
      }())
    try supervise(trainer, epochs: epochs, path: path)
  }

  private func continueRun(_ reference: String) throws {
    let resumable = try failOnBadInput { () throws -> sending ResumableRun in
      guard options.config == nil && options.overrides.isEmpty && name == nil && fork == nil else {
        throw ValidationError(
          "--resume continues a run with its own settings; --config, --set, --name and --fork do not apply")
      }
      return try ResumableRun.open(try RunLocator(runs: options.runsURL).locate(reference))
    }
    let epochs = resumable.state.liveSettings.epochs
    let path = resumable.directory.url.path
    print("resuming \(path) after epoch \(resumable.state.epochsRun), step \(resumable.state.step)")
    try supervise(Trainer(resuming: resumable), epochs: epochs, path: path)
  }

  private func supervise(_ trainer: Trainer, epochs: Int, path: String) throws {
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
