import Foundation

/// Reads a run's `metrics.csv` back into epoch metrics, for charts that compare finished runs.
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
      throw RunDirectoryError(path: url.path, reason: "cannot be read: \(error.localizedDescription)")
    }
    var bestLoss = Double.infinity
    return text.split(separator: "\n").dropFirst().compactMap { line -> EpochMetrics? in
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 8, let epoch = Int(fields[0]), let step = Int(fields[1]) else { return nil }
      func number(_ index: Int) -> Double { Double(fields[index]) ?? .nan }
      let validationLoss = number(4)
      let isBest = validationLoss < bestLoss
      if isBest { bestLoss = validationLoss }
      return EpochMetrics(
        epoch: epoch, step: step, trainLoss: number(2), trainAccuracy: number(3),
        validationLoss: validationLoss,
        validationAccuracy: number(5), learningRate: number(6), seconds: number(7), isBest: isBest)
    }
  }
}
