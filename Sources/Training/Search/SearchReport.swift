import Foundation

/// The end of a search in words and files: the best trial's config as YAML that `tunetop train
/// --config` accepts, which hyperparameters mattered, and the table of all trials.
public struct SearchReport: Sendable {
  public var id: String
  public var directory: URL
  public var plannedTrials: Int
  public var trials: [SearchTrial]
  public var best: SearchTrial?
  /// The best trial's resolved settings, read back from its run directory.
  public var bestHyperParameters: HyperParameters?
  public var importance: [ParameterImportance]
  public var sampler: SamplerKind
  public var pruner: PrunerKind

  public var bestConfigURL: URL { directory.appendingPathComponent("best.yaml") }
  public var reportURL: URL { directory.appendingPathComponent("report.txt") }

  public init(settings: SearchSettings, id: String, directory: URL, trials: [SearchTrial]) {
    self.id = id
    self.directory = directory
    plannedTrials = settings.trials
    self.trials = trials
    sampler = settings.sampler
    pruner = settings.pruner
    best = SearchSnapshot.best(of: trials)
    bestHyperParameters = best.flatMap { trial in
      trial.directory.flatMap {
        try? HyperParameters.load(path: URL(fileURLWithPath: $0).appendingPathComponent("config.yaml").path)
      }
    }
    // Trials a person stopped halfway say little about their settings, so only those that ran
    // to their own end or were pruned take part.
    let scored = trials.filter { $0.isComplete || $0.status == .pruned }.compactMap { trial in
      trial.objective.map { FinishedTrial(assignment: trial.assignment, objective: $0) }
    }
    importance = ParameterImportance.rank(space: settings.space, trials: scored)
  }

  /// Writes `report.txt` and, when a trial succeeded, `best.yaml`.
  public func write() throws {
    if let bestHyperParameters {
      try AtomicFile.write(Data(bestHyperParameters.yaml().utf8), to: bestConfigURL)
    }
    try AtomicFile.write(Data(text().utf8), to: reportURL)
  }

  /// The report as printed: header, best trial, importance ranking, trial table.
  public func text() -> String {
    var lines: [String] = []
    let counts = Dictionary(grouping: trials, by: \.status).mapValues(\.count)
    let tally = RunStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
    lines.append(
      "search \(id): \(trials.count) of \(plannedTrials) trials (\(tally.joined(separator: ", ")))")
    lines.append(
      "sampler \(sampler.rawValue), pruner \(pruner.rawValue); objective: lowest best validation loss")
    lines.append("")
    if let best, let summary = best.summary {
      lines.append(
        "best: trial \(best.number) — val_loss \(Self.number(summary.bestValidationLoss)), val_acc \(Self.percent(summary.bestValidationAccuracy)) at epoch \(summary.bestEpoch)"
          + (summary.testAccuracy.map { ", test_acc \(Self.percent($0))" } ?? ""))
      lines.append("  " + best.parameters.map { "\($0.key)=\($0.value)" }.joined(separator: "  "))
      if let path = best.directory { lines.append("  run: \(path)") }
      if bestHyperParameters != nil {
        lines.append("  config: \(bestConfigURL.path)  (tunetop train --config \(bestConfigURL.path))")
      }
    } else {
      lines.append("best: none — no trial produced a validation loss")
    }
    lines.append("")
    lines.append("importance (η², share of the variance of best val_loss explained by each parameter alone):")
    if importance.isEmpty {
      lines.append("  not enough scored trials with different results")
    } else {
      let width = importance.map(\.key.count).max() ?? 0
      for entry in importance {
        let bar = String(repeating: "█", count: Int((entry.share * 20).rounded()))
        lines.append(
          "  \(entry.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(format: "%5.2f", entry.share))  \(bar)"
        )
      }
    }
    lines.append("")
    lines.append(contentsOf: table())
    return lines.joined(separator: "\n") + "\n"
  }

  /// One row per trial, best marked with `*`.
  func table() -> [String] {
    let keys = trials.first?.parameters.map(\.key) ?? []
    let header = [" ", "trial", "status"] + keys + ["val_loss", "val_acc", "epochs", "seconds"]
    var rows: [[String]] = []
    for trial in trials {
      let marker = trial.number == best?.number ? "*" : " "
      var row: [String] = [marker, String(trial.number), trial.status.rawValue]
      row += trial.parameters.map(\.value)
      if let summary = trial.summary {
        row.append(Self.number(summary.bestValidationLoss))
        row.append(Self.percent(summary.bestValidationAccuracy))
        row.append(String(summary.epochsRun))
        row.append(String(format: "%.1f", summary.wallSeconds))
      } else {
        row += ["-", "-", "-", "-"]
      }
      rows.append(row)
    }
    let widths = header.indices.map { column in
      ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
        .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var result = [line(header)]
    result += rows.map(line)
    for trial in trials where trial.reason != nil && trial.status != .completed {
      result.append("trial \(trial.number) \(trial.status.rawValue): \(trial.reason!)")
    }
    return result
  }

  static func number(_ value: Double) -> String { value.isFinite ? String(format: "%.4f", value) : "-" }
  static func percent(_ value: Double) -> String {
    value.isFinite ? String(format: "%.1f%%", value * 100) : "-"
  }
}
