import ArgumentParser
import Dashboard
import Foundation
import Terminal
import Training

/// `tunetop watch RUN`: the dashboard's panels on a run written by another process (`tunetop
/// train`, another dashboard, a PyTorch loop using the Python package), steered through its
/// `control.jsonl`. Quitting the viewer never touches the run.
struct WatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch", abstract: "Watch and steer a run, or follow a search, written by another process.",
    discussion: """
      p pauses or resumes, s (twice) stops, Space on a layer group freezes or unfreezes it, and \
      learning_rate, dropout and weight_decay are edited as in the dashboard; each goes to the \
      run's control.jsonl and shows as pending until the trainer answers. q leaves the run running.
      A search directory (one with search.json: tunetop search, --backend ray, the Ray Tune and \
      Optuna callbacks) opens in the Search screen, followed live: its trials, the node each ran \
      on, val loss against the learning rate and every trial's curve; Enter opens a trial's run.
      Exit status: 0 after q, 2 bad input or no terminal.
      """)

  @Argument(
    help: ArgumentHelp(
      "The run or search directory: a path, a name, or a unique part of one.", valueName: "run"))
  var target: String

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  @Option(name: .long, help: "Theme name from themes/ or a path to a .theme file.")
  var theme: String = "default"

  func run() throws {
    let url = try failOnBadInput { try RunLocator(runs: URL(fileURLWithPath: runs)).locate(target) }
    let environment = ProcessInfo.processInfo.environment
    let directories = ThemeLoader.searchDirectories(environment: environment)
    let loaded = try failOnBadInput { try ThemeLoader.load(named: theme, in: directories) }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      FileHandle.standardError.write(Data("tunetop: \(TerminalError.notATerminal)\n".utf8))
      throw ExitCode(2)
    }
    var state = DashboardState(settings: HyperParameters())
    state.themeName = theme
    state.themeNames = ThemeLoader.availableThemes(in: directories)
    if !state.themeNames.contains(theme) { state.themeNames.append(theme) }
    let status: Int32
    do {
      status = try TerminalSession.run(theme: loaded.theme, environment: environment) { session in
        let app = DashboardApp(
          state: state, session: session, runsURL: URL(fileURLWithPath: runs), themeDirectories: directories)
        if SearchDirectoryFollower.isSearchDirectory(url) {
          app.beginFollowingSearch(url)
        } else {
          app.beginWatching(url)
        }
        return app.run()
      }
    } catch let error as TerminalError {
      FileHandle.standardError.write(Data("tunetop: \(error)\n".utf8))
      throw ExitCode(2)
    }
    if status != 0 { throw ExitCode(status) }
  }
}
