import ArgumentParser
import Foundation
import Training

/// `tunetop search`: a hyperparameter search, each trial a run directory, with a report at the end.
struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Search hyperparameters: sample trials, prune the weak ones, report the best config.",
    discussion: """
      Trials are run directories under runs/<stamp>-search-<name>/, next to search.json (every trial and its status), report.txt and best.yaml (usable with `tunetop train --config`). The search minimises the best validation loss. Without --space it searches learning_rate and weight_decay (log), dropout, batch_size and frozen.

      Ctrl-C stops the search, keeping every finished trial. Exit status: 0 done, 1 no trial succeeded, 2 bad input, 130/143 after SIGINT/SIGTERM.
      """)

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: "Number of trials.")
  var trials: Int

  @Option(
    name: .long, help: ArgumentHelp("A YAML search space (ranges, choices, fixed values).", valueName: "file")
  )
  var space: String?

  @Option(name: .long, help: "random or tpe.")
  var sampler: String = SamplerKind.tpe.rawValue

  @Option(name: .long, help: "asha, median or none.")
  var pruner: String = PrunerKind.asha.rawValue

  @Option(name: .long, help: "Trials run at once, each on its own thread.")
  var parallel: Int = 1

  @Option(name: .long, help: "Seed of the sampler (the trials' own seed comes from the config).")
  var seed: Int = 0

  @Option(name: .long, help: "Label of the search directory (after the timestamp).")
  var name: String?

  @Option(name: .customLong("grace-period"), help: "ASHA: epochs before the first rung.")
  var gracePeriod: Int = 2

  @Option(name: .customLong("reduction-factor"), help: "ASHA: η; the best 1/η of trials pass each rung.")
  var reductionFactor: Double = 3

  @Option(name: .long, help: "local (tunetop's threads) or ray (trials scheduled by Ray Tune).")
  var backend: String = "local"

  @Option(name: .long, help: "ray: the cluster, auto or HOST:PORT; without it Ray starts on this machine.")
  var address: String?

  @Option(
    name: .long,
    help: "ray: the Python with Ray Tune and tunetop's package (default TUNETOP_PYTHON, else python3).")
  var python: String?

  @Option(name: .customLong("num-cpus"), help: "ray: CPUs of the Ray instance started on this machine.")
  var numCPUs: Int?

  func run() throws {
    guard backend == "local" || backend == "ray" else {
      FileHandle.standardError.write(Data("tunetop: --backend must be local or ray, got \(backend)\n".utf8))
      throw ExitCode(2)
    }
    let settings = try failOnBadInput { () throws -> SearchSettings in
      guard let samplerKind = SamplerKind(rawValue: sampler) else {
        throw ValidationError("--sampler must be random or tpe, got \(sampler)")
      }
      guard let prunerKind = PrunerKind(rawValue: pruner) else {
        throw ValidationError("--pruner must be asha, median or none, got \(pruner)")
      }
      let base = try options.hyperParameters()
      let searchSpace = try SearchSpace.checked(
        for: base, loading: space.map { path in { try SearchSpace.load(path: path) } })
      var settings = SearchSettings(base: base, space: searchSpace, trials: trials, runsRoot: options.runsURL)
      settings.sampler = samplerKind
      settings.pruner = prunerKind
      settings.parallel = parallel
      settings.seed = seed
      settings.name = name
      settings.gracePeriod = gracePeriod
      settings.reductionFactor = reductionFactor
      try settings.validate()
      return settings
    }
    if backend == "ray" {
      try runOnRay(settings)
      return
    }
    let search = try failOnBadInput { try HyperparameterSearch(settings) }
    print(
      "search \(search.id): \(trials) trials, sampler \(sampler), pruner \(pruner), parallel \(parallel) → \(search.directory.path)"
    )
    for dimension in settings.space.dimensions {
      print("  \(dimension.key.name): \(Self.describe(dimension.domain))")
    }
    installStopSignalHandlers()
    search.start()
    var signalled: Int32 = 0
    var finished = false
    while !finished {
      let received = receivedSignal.load(ordering: .relaxed)
      if received != 0 && signalled == 0 {
        signalled = received
        print("stopping the search: running trials save their last checkpoint, finished ones are kept")
        search.stop(interrupt: true)
      }
      for event in search.drainEvents() {
        switch event {
        case .trialFinished(let trial): print(Self.line(trial, of: trials))
        case .finished: finished = true
        case .trialStarted, .trialEpoch: break
        }
      }
      if !finished { Thread.sleep(forTimeInterval: 0.05) }
    }
    let report = search.waitUntilFinished()
    print("")
    print(report.text(), terminator: "")
    print("report: \(report.reportURL.path)")
    if signalled != 0 { throw ExitCode(exitStatus(forSignal: signalled)) }
    if report.best == nil { throw ExitCode(1) }
  }

  private func runOnRay(_ settings: SearchSettings) throws {
    let launcher = RaySearchLauncher(
      settings: settings, python: RaySearchLauncher.python(option: python), address: address, numCPUs: numCPUs
    )
    try failOnBadInput { try launcher.checkEnvironment() }
    let (report, signalled) = try launcher.run { print(Self.line($0, of: trials)) }
    print("")
    print(report.text(), terminator: "")
    print("report: \(report.reportURL.path)")
    if signalled != 0 { throw ExitCode(exitStatus(forSignal: signalled)) }
    if report.best == nil { throw ExitCode(1) }
  }

  static func describe(_ domain: SearchDomain) -> String {
    switch domain {
    case .range(let low, let high, let log): return "\(low) … \(high)\(log ? " (log)" : "")"
    case .choices(let values): return "one of " + values.joined(separator: " ")
    case .fixed(let value): return "fixed \(value)"
    }
  }

  static func line(_ trial: SearchTrial, of total: Int) -> String {
    let parameters = trial.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    var text = "trial \(trial.number)/\(total) \(trial.status.rawValue)  \(parameters)"
    if let summary = trial.summary, summary.bestValidationLoss.isFinite {
      text += String(
        format: "  val_loss %.4f acc %.3f  %d epochs  %.1fs", summary.bestValidationLoss,
        summary.bestValidationAccuracy, summary.epochsRun, summary.wallSeconds)
    }
    if trial.status != .completed, let reason = trial.reason { text += "\n    \(reason)" }
    return text
  }
}
