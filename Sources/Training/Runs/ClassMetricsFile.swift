import CSV
import Foundation

/// `classes.csv` of a run: per-class validation metrics and the confusion matrix, one row per class
/// per evaluation.
///
/// Columns: `epoch,class,support,precision,recall,f1,macro_f1`, then `pred_<name>` per class: the
/// row of the confusion matrix for the row's true class (rows true, columns predicted). An
/// evaluation's rows go in one append, so a reader never sees part of one (but for a torn last
/// line). `epoch` is written as in `metrics.csv`: `3`, or `2.5` for a mid-epoch evaluation.
public enum ClassMetricsFile {
  public static let fileName = "classes.csv"
  static let fixedColumns = ["epoch", "class", "support", "precision", "recall", "f1", "macro_f1"]
  static let predictedPrefix = "pred_"

  public static func header(_ labels: ClassLabels) -> String {
    (fixedColumns + labels.names.map { predictedPrefix + $0 }).map(MetricsExport.csvField)
      .joined(separator: ",")
  }

  /// The rows of one evaluation, header first when `withHeader`.
  public static func lines(
    epoch: String, metrics: ClassMetrics, labels: ClassLabels, withHeader: Bool
  ) -> String {
    precondition(labels.count == metrics.classes, "\(labels.count) names for \(metrics.classes) classes")
    var lines = withHeader ? [header(labels)] : []
    for index in 0..<metrics.classes {
      let fields =
        [
          epoch, MetricsExport.csvField(labels.names[index]), String(metrics.support[index]),
          RunDirectory.number(metrics.precision[index]), RunDirectory.number(metrics.recall[index]),
          RunDirectory.number(metrics.f1[index]), RunDirectory.number(metrics.macroF1),
        ] + metrics.confusion.rows[index].map(String.init)
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One evaluation's per-class metrics as read back.
  public struct Epoch: Equatable, Sendable {
    /// The epoch ended, or in progress for a mid-epoch evaluation.
    public var epoch: Int
    public var metrics: ClassMetrics
    /// Where the evaluation happened, in epochs: `epoch`, or 2.5 halfway through epoch 3.
    public var position: Double

    public init(epoch: Int, metrics: ClassMetrics, position: Double? = nil) {
      self.epoch = epoch
      self.metrics = metrics
      self.position = position ?? Double(epoch)
    }
  }

  /// Reads `classes.csv`: the class names and every complete evaluation in it. A run without the
  /// file (older runs, other writers) has none.
  public static func read(runDirectory: URL) throws -> (labels: ClassLabels, epochs: [Epoch])? {
    let url = runDirectory.appendingPathComponent(fileName)
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw RunDirectoryError(path: url.path, reason: "cannot be read: \(error.localizedDescription)")
    }
    let rows: [[String]]
    do {
      rows = Array(try CSVReader(string: text, hasHeaderRow: false))
    } catch {
      throw RunDirectoryError(path: url.path, reason: "is not CSV: \(error)")
    }
    guard let header = rows.first, header.count > fixedColumns.count,
      Array(header.prefix(fixedColumns.count)) == fixedColumns
    else {
      throw RunDirectoryError(path: url.path, reason: "line 1 is not a classes.csv header")
    }
    let names = header.dropFirst(fixedColumns.count).map {
      $0.hasPrefix(predictedPrefix) ? String($0.dropFirst(predictedPrefix.count)) : $0
    }
    let classes = names.count
    var epochs: [Epoch] = []
    var pending: (epoch: Int, position: Double, rows: [[Int]])?
    for row in rows.dropFirst() {
      // A row cut short by a killed writer is not a complete evaluation.
      guard row.count == header.count, let parsed = EpochPosition.parse(Substring(row[0])) else { continue }
      let position = parsed.midEpoch ?? Double(parsed.epoch)
      let counts = row.dropFirst(fixedColumns.count).compactMap { Int($0) }
      guard counts.count == classes else { continue }
      if pending?.position != position { pending = (parsed.epoch, position, []) }
      pending!.rows.append(counts)
      if pending!.rows.count == classes {
        epochs.append(
          Epoch(
            epoch: parsed.epoch, metrics: ClassMetrics(confusion: ConfusionMatrix(rows: pending!.rows)),
            position: position))
        pending = nil
      }
    }
    return (ClassLabels(names: names), epochs)
  }
}

extension RunDirectory {
  public var classMetricsURL: URL { url.appendingPathComponent(ClassMetricsFile.fileName) }

  /// Appends one evaluation's rows to `classes.csv`, starting the file with its header.
  public func appendClassMetrics(epoch: Int, metrics: ClassMetrics, labels: ClassLabels) throws {
    try appendClassMetrics(epochText: String(epoch), metrics: metrics, labels: labels)
  }

  /// Appends one evaluation's rows; `epochText` is its `metrics.csv` epoch cell (`2.5` mid-epoch).
  public func appendClassMetrics(epochText: String, metrics: ClassMetrics, labels: ClassLabels) throws {
    let target = classMetricsURL
    let withHeader = !FileManager.default.fileExists(atPath: target.path)
    let text = ClassMetricsFile.lines(
      epoch: epochText, metrics: metrics, labels: labels, withHeader: withHeader)
    do {
      try AtomicFile.appendLine(text, to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
  }

  /// Rewrites `classes.csv` without the rows of epochs after `epoch`, as a resume does to `metrics.csv`.
  public func truncateClassMetrics(afterEpoch epoch: Int) throws {
    try truncateClassMetrics(afterPosition: Double(epoch))
  }

  /// Rewrites `classes.csv` without the evaluations after `position` (in epochs, `EpochPosition`).
  public func truncateClassMetrics(afterPosition position: Double) throws {
    let target = classMetricsURL
    guard let text = try? String(contentsOf: target, encoding: .utf8) else { return }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    let kept = lines.enumerated().filter { index, line in
      guard index > 0 else { return true }
      guard let cell = line.split(separator: ",").first, let parsed = EpochPosition.parse(cell) else {
        return false
      }
      return (parsed.midEpoch ?? Double(parsed.epoch)) <= position
    }.map(\.element)
    guard kept.count != lines.count else { return }
    do {
      try AtomicFile.write(Data((kept.joined(separator: "\n") + "\n").utf8), to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
  }
}
