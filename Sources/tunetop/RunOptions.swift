import ArgumentParser
import Foundation
import Training

/// The options that say which run to make, shared by the dashboard and `tunetop train`.
struct RunOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("A YAML file of hyperparameters.", valueName: "file"))
  var config: String?

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Override one hyperparameter, e.g. --set learning_rate=3e-4 (repeatable; lists comma-separated).",
      valueName: "key=value"))
  var overrides: [String] = []

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  /// The settings from the config file and the overrides, with the base model family's
  /// recommended values for the keys neither sets (`ModelDefaults`), validated.
  func hyperParameters() throws -> HyperParameters {
    try ModelDefaults.resolve(configPath: config, overrides: overrides)
  }

  var runsURL: URL { URL(fileURLWithPath: runs, isDirectory: true) }
}

/// Prints a bad-input error the way every subcommand does, and exits with status 2.
func failOnBadInput<T>(_ body: () throws -> sending T) throws -> sending T {
  do {
    return try body()
  } catch let error as ExitCode {
    throw error
  } catch {
    FileHandle.standardError.write(Data("tunetop: \(error)\n".utf8))
    throw ExitCode(2)
  }
}
