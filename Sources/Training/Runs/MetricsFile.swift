import Foundation

/// Reads a run's `metrics.csv` back into evaluations, for charts that compare finished runs.
///
/// Columns are found by their header names, so a writer may add columns after the eight of the
/// contract; an empty or unreadable cell is an unknown value (NaN), as other trainers leave the
/// metrics they do not measure empty.
public enum MetricsFile {
  /// The complete rows of `metrics.csv` in the run at `run`; a row cut short by a killed writer is
  /// skipped, and a missing file means no epochs yet.
  public static func read(run: URL) throws -> [EpochMetrics] {
    let url = run.appendingPathComponent("metrics.csv")
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw RunDirectoryError(path: url.path, reason: error.localizedDescription, action: "read")
    }
    var parser = MetricsRowParser()
    var rows: [EpochMetrics] = []
    for line in completeLines(text) {
      if let row = parser.parse(line) { rows.append(row) }
    }
    return rows
  }

  /// The lines of `text` that end in a newline: a last line without one may still be being written.
  static func completeLines(_ text: String) -> [Substring] {
    guard let lastNewline = text.lastIndex(of: "\n") else { return [] }
    return text[..<lastNewline].split(separator: "\n", omittingEmptySubsequences: true)
  }
}

/// Turns the lines of a `metrics.csv`, header first, into epoch metrics one at a time, so a
/// follower can feed it the lines of a growing file as they arrive.
public struct MetricsRowParser: Sendable {
  /// Where each of the contract's eight columns is in this file; nil until the header was read.
  private var columns: [Int?]?
  private var bestLoss = Double.infinity

  public init() {}

  /// The metrics of a data row, or nil for the header, a torn row or a row without an epoch.
  public mutating func parse(_ line: Substring) -> EpochMetrics? {
    let line = line.hasSuffix("\r") ? line.dropLast() : line
    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
    guard let columns else {
      let names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
      self.columns = RunDirectory.metricsColumns.map { names.firstIndex(of: $0) }
      return nil
    }
    // A row shorter than the header's known columns was cut short by a killed writer.
    let needed = (columns.compactMap { $0 }.max() ?? 0) + 1
    // `epoch` is `3` at an epoch's end and `2.5` for an evaluation halfway through epoch 3.
    guard fields.count >= needed, let epochColumn = columns[0],
      case let (epoch, midEpoch)? = EpochPosition.parse(fields[epochColumn])
    else { return nil }
    func number(_ index: Int) -> Double {
      guard let column = columns[index] else { return .nan }
      return CSVNumber.parse(fields[column]) ?? .nan
    }
    let step = columns[1].flatMap { Int(fields[$0].trimmingCharacters(in: .whitespaces)) } ?? 0
    let validationLoss = number(4)
    let isBest = validationLoss < bestLoss
    if isBest { bestLoss = validationLoss }
    return EpochMetrics(
      epoch: epoch, step: step, trainLoss: number(2), trainAccuracy: number(3),
      validationLoss: validationLoss, validationAccuracy: number(5), learningRate: number(6),
      seconds: number(7), isBest: isBest, midEpoch: midEpoch)
  }
}

/// A number in a run file's CSV cell: C locale, and `nan`, `inf`, `-inf` in any case.
public enum CSVNumber {
  public static func parse(_ cell: Substring) -> Double? {
    let text = cell.trimmingCharacters(in: .whitespaces)
    guard !text.isEmpty else { return nil }
    switch text.lowercased() {
    case "nan", "-nan", "+nan": return .nan
    case "inf", "+inf", "infinity", "+infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    default: return Double(text)
    }
  }
}
