import ArgumentParser
import Dashboard
import Terminal
import Training

/// The `tunetop` command line: the dashboard by default, and headless subcommands.
@main
struct Tunetop: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tunetop",
    abstract: "top for fine-tuning: edit hyperparameters, run training, watch it live.",
    subcommands: [
      DashboardCommand.self, TrainCommand.self, RunsCommand.self, ExportCommand.self, ConfigCommand.self,
      PretrainCommand.self,
      LRFindCommand.self, SearchCommand.self, WatchCommand.self, CtlCommand.self,
      TokenizeCommand.self, ModelsCommand.self, PredictCommand.self, ExportModelCommand.self,
    ],
    defaultSubcommand: DashboardCommand.self
  )
}
