import ArgumentParser
import Dashboard
import Foundation
import Terminal
import Training

/// `tunetop` with no subcommand: the interactive dashboard.
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard", abstract: "Open the dashboard (the default).",
    discussion: """
      Press ? inside for the keys. Exit status: 0 after q, 2 bad input or no terminal, 143 after SIGTERM,
      129 when the terminal closes (SIGHUP: the run finishes its epoch and saves it first).
      """)

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: "Theme name from themes/ or a path to a .theme file.")
  var theme: String = "default"

  func run() throws {
    // Everything that can be wrong with the input is reported before curses takes the screen.
    let settings = try failOnBadInput { try options.hyperParameters() }
    let environment = ProcessInfo.processInfo.environment
    let directories = ThemeLoader.searchDirectories(environment: environment)
    let loaded = try failOnBadInput { try ThemeLoader.load(named: theme, in: directories) }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      FileHandle.standardError.write(Data("tunetop: \(TerminalError.notATerminal)\n".utf8))
      throw ExitCode(2)
    }
    var state = DashboardState(settings: settings, configPath: options.config ?? "tunetop.yaml")
    state.themeName = theme
    state.themeNames = ThemeLoader.availableThemes(in: directories)
    if !state.themeNames.contains(theme) { state.themeNames.append(theme) }
    if !loaded.warnings.isEmpty {
      state.message = StatusMessage(loaded.warnings.map(\.description).joined(separator: "; "), .warning)
    }
    let status: Int32
    do {
      status = try TerminalSession.run(theme: loaded.theme, environment: environment) { session in
        DashboardApp(
          state: state, session: session, runsURL: options.runsURL, themeDirectories: directories
        ).run()
      }
    } catch let error as TerminalError {
      FileHandle.standardError.write(Data("tunetop: \(error)\n".utf8))
      throw ExitCode(2)
    }
    if status != 0 { throw ExitCode(status) }
  }
}
