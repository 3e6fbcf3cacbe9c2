import ArgumentParser
import Training

/// `tunetop config`: prints the resolved settings as YAML, a starting point for `--config`.
struct ConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Print the hyperparameters (defaults, --config and --set applied) as commented YAML.")

  @OptionGroup var options: RunOptions

  func run() throws {
    let settings = try failOnBadInput { try options.hyperParameters() }
    print(settings.yaml(), terminator: "")
  }
}
