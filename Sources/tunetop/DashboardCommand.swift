import ArgumentParser
import Dashboard
import Terminal
import Training

/// `tunetop` with no subcommand: the interactive dashboard.
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard", abstract: "Open the dashboard (the default).")

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: "Theme name from themes/ or a path to a .theme file.")
  var theme: String = "default"

  func run() throws {
    let settings = try failOnBadInput { try options.hyperParameters() }
    print("tunetop: the dashboard is not built yet; \(settings.task) is ready for `tunetop train`")
  }
}
