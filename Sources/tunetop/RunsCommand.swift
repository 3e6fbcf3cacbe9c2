import ArgumentParser
import Foundation
import Training

/// `tunetop runs`: every run under the runs directory as a plain table.
struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs", abstract: "List the runs under the runs directory.")

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Sort by \(RunCatalog.SortColumn.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "column"))
  var sort: String = "started"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Only the runs whose name, status or changed settings contain every word, ignoring case "
        + "(\"killed\", \"lr3e-3 dropout=0\"); as / in the dashboard's runs view.",
      valueName: "words"))
  var filter: String = ""

  func run() throws {
    let column = try failOnBadInput { () throws -> RunCatalog.SortColumn in
      guard let column = RunCatalog.SortColumn(rawValue: sort) else {
        throw ValidationError(
          "--sort must be one of \(RunCatalog.SortColumn.allCases.map(\.rawValue).joined(separator: ", ")), got \(sort)"
        )
      }
      return column
    }
    let all = RunCatalog.sorted(RunCatalog.list(runs: URL(fileURLWithPath: runs)), by: column)
    let records = all.filter { $0.matches(filter) }
    guard !records.isEmpty else {
      print(
        all.isEmpty
          ? "no runs under \(runs)" : "none of the \(all.count) runs under \(runs) matches \"\(filter)\"")
      return
    }
    let header = [
      "run", "source", "status", "epochs", "best val loss", "val acc", "wall", "differs from defaults",
    ]
    let rows = records.map { record -> [String] in
      let summary = record.summary
      return [
        record.name, record.source, record.statusText, summary.map { String($0.epochsRun) } ?? "-",
        summary.map { format($0.bestValidationLoss, "%.4f") } ?? "-",
        summary.map { format($0.bestValidationAccuracy, "%.3f") } ?? "-",
        // Another trainer may not report its wall time; 0 s would be a claim.
        summary.flatMap { $0.wallSeconds > 0 ? HeadlessProgress.duration($0.wallSeconds) : nil } ?? "-",
        changes(record),
      ]
    }
    print(TextTable.render(header: header, rows: rows), terminator: "")
  }

  /// What differs from the defaults; a fork names its parent instead of its checkpoint's long path.
  private func changes(_ record: RunRecord) -> String {
    guard let parent = record.summary?.parent else { return record.differences.joined(separator: " ") }
    let rest = record.differences.filter { !$0.hasPrefix(ConfigKey.baseModel.name + "=") }
    return (["fork-of=\(parent.run)@\(parent.epoch)"] + rest).joined(separator: " ")
  }

  private func format(_ value: Double, _ pattern: String) -> String {
    value.isFinite ? String(format: pattern, value) : "-"
  }
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
enum TextTable {
  static func render(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n") + "\n"
  }
}
