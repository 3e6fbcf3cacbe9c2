import ArgumentParser
import Foundation
import Training

/// `tunetop export`: epoch metrics of one or many runs as one long CSV or JSONL table.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the epoch metrics of runs (all of them by default) as one table for pandas.")

  @Argument(help: "Runs to export: paths, names, or unique parts of names.")
  var references: [String] = []

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  @Option(name: .long, help: "csv, jsonl, or tensorboard (event files in the --out directory).")
  var format: String = "csv"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Write here instead of standard output (for tensorboard: a directory, one subfolder per run).",
      valueName: "path"))
  var out: String?

  func run() throws {
    let (records, exportFormat) = try failOnBadInput { () throws -> ([RunRecord], MetricsExport.Format?) in
      let exportFormat = MetricsExport.Format(rawValue: format)
      guard exportFormat != nil || format == "tensorboard" else {
        throw ValidationError("--format must be csv, jsonl or tensorboard, got \(format)")
      }
      if exportFormat == nil, out == nil {
        throw ValidationError("--format tensorboard writes a directory: give it with --out DIR")
      }
      let runsURL = URL(fileURLWithPath: runs)
      let records =
        references.isEmpty
        ? RunCatalog.list(runs: runsURL)
        : try references.map { RunCatalog.record(at: try RunLocator(runs: runsURL).locate($0)) }
      return (records, exportFormat)
    }
    guard let exportFormat else {
      let folder = URL(fileURLWithPath: out!, isDirectory: true)
      _ = try failOnBadInput { try TensorBoardExport.export(records, to: folder) }
      FileHandle.standardError.write(
        Data("wrote \(records.count) runs to \(out!) (tensorboard --logdir \(out!))\n".utf8))
      return
    }
    let table = try failOnBadInput { try MetricsExport.export(records, format: exportFormat) }
    if let out {
      try failOnBadInput { try AtomicFile.write(Data(table.utf8), to: URL(fileURLWithPath: out)) }
      FileHandle.standardError.write(Data("wrote \(records.count) runs to \(out)\n".utf8))
    } else {
      print(table, terminator: "")
    }
  }
}
