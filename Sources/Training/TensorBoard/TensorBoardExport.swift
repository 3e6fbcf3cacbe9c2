import Foundation
import Yams

/// `tunetop export --format tensorboard`: each run's metrics, step points, hot edits and config as
/// TensorBoard event files, one subfolder per run, plus the hparams experiment at the top.
///
/// Tags: `train/loss`, `train/accuracy`, `val/loss`, `val/accuracy` per evaluation (x = optimizer
/// step); `lr`, `grad_norm`, `grad_norm/<group>`, `train/step_loss`, `train/step_accuracy` from
/// `steps.csv` when the run has one (else `lr` per evaluation); `val/macro_f1` and
/// `val_f1/<class>`, `val_precision/<class>`, `val_recall/<class>` from `classes.csv`; any other
/// numeric column under its own name; hot edits and freeze changes as text under `hot_edits`.
public enum TensorBoardExport {
  /// The event file of each run: one fixed name, so exporting again replaces it instead of adding a
  /// second file whose points TensorBoard would draw twice.
  public static let eventFileName = "events.out.tfevents.0.tunetop"

  static let metricTags = [
    "train_loss": "train/loss", "train_accuracy": "train/accuracy", "val_loss": "val/loss",
    "val_accuracy": "val/accuracy", "learning_rate": "lr",
  ]
  static let stepTags = [
    "loss": "train/step_loss", "accuracy": "train/step_accuracy", "learning_rate": "lr",
  ]

  /// Writes `out/<run>/<eventFileName>` for every run and `out/<eventFileName>` with the hparams
  /// experiment; returns the run folders written.
  @discardableResult
  public static func export(_ records: [RunRecord], to out: URL) throws -> [URL] {
    // Every run is read before anything is written, so a run that cannot be read writes nothing.
    var files: [(folder: URL, data: Data)] = []
    var hparamTypes: [String: TensorBoardEventFile.HParamValue] = [:]
    var hparamOrder: [String] = []
    var metricNames: [String] = []
    var earliest = Date().timeIntervalSince1970
    for record in records {
      let run = URL(fileURLWithPath: record.path)
      let exported = try eventFile(
        run: run, name: record.name, started: record.started, status: record.summary?.status)
      let folder = out.appendingPathComponent(record.name, isDirectory: true)
      files.append((folder, exported.file.data))
      for (name, value) in exported.hparams where hparamTypes[name] == nil {
        hparamTypes[name] = value
        hparamOrder.append(name)
      }
      for tag in exported.tags where !metricNames.contains(tag) { metricNames.append(tag) }
      earliest = min(earliest, exported.startTime)
    }
    var experiment = TensorBoardEventFile(wallTime: earliest)
    experiment.hparamsExperiment(
      hparams: hparamOrder.map { ($0, hparamTypes[$0]!) },
      metrics: metricNames.filter { $0.hasPrefix("val/") || $0.hasPrefix("train/") && !$0.contains("step") },
      wallTime: earliest)
    for (folder, data) in files { try write(data, to: folder) }
    try write(experiment.data, to: out)
    return files.map(\.folder)
  }

  private static func write(_ data: Data, to folder: URL) throws {
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try AtomicFile.write(data, to: folder.appendingPathComponent(eventFileName), durable: false)
    } catch {
      throw RunDirectoryError(path: folder.path, reason: RunDirectory.describe(error))
    }
  }

  /// One run's events, the hyperparameters of its config, the scalar tags it holds and its start.
  static func eventFile(run: URL, name: String, started: Date?, status: RunStatus?) throws -> (
    file: TensorBoardEventFile, hparams: [(String, TensorBoardEventFile.HParamValue)], tags: [String],
    startTime: Double
  ) {
    let metrics = try table(run.appendingPathComponent("metrics.csv"), required: true)!
    let steps = try table(run.appendingPathComponent("steps.csv"), required: false)
    let events = readEvents(run.appendingPathComponent("events.jsonl"))
    let startTime =
      events.first?.time ?? started?.timeIntervalSince1970
      ?? fileDate(run.appendingPathComponent("metrics.csv"))
    let clock = WallClock(start: startTime, metrics: metrics)
    var file = TensorBoardEventFile(wallTime: startTime)
    var tags: [String] = []
    func scalar(_ tag: String, _ value: Double, step: Int) {
      if !tags.contains(tag) { tags.append(tag) }
      file.scalar(tag, value, step: step, wallTime: clock.time(atStep: step))
    }

    let hparams = readHParams(run.appendingPathComponent("config.yaml"))
    file.hparamsSessionStart(hparams, group: name, startTime: startTime)

    let skipped: Set<String> = ["epoch", "step", "seconds"]
    for row in metrics.rows {
      guard let step = row["step"].flatMap({ $0 }).map(Int.init) else { continue }
      for column in metrics.columns where !skipped.contains(column) {
        if column == "learning_rate" && steps != nil { continue }
        guard let value = row[column] ?? nil else { continue }
        scalar(metricTags[column] ?? column, value, step: Int(step))
      }
    }
    for row in steps?.rows ?? [] {
      guard let step = row["step"].flatMap({ $0 }).map(Int.init) else { continue }
      for column in steps!.columns where column != "step" && column != "epoch" {
        guard let value = row[column] ?? nil else { continue }
        scalar(stepTags[column] ?? column, value, step: step)
      }
    }
    if let classes = try ClassMetricsFile.read(runDirectory: run) {
      // Both files write an evaluation's epoch alike (`3`, or `2.5` mid-epoch): that is the join.
      let stepOfPosition = Dictionary(
        metrics.rows.compactMap { row -> (Double, Int)? in
          guard let epoch = row["epoch"] ?? nil, let step = row["step"] ?? nil else { return nil }
          return (epoch, Int(step))
        }, uniquingKeysWith: { $1 })
      for evaluation in classes.epochs {
        guard let step = stepOfPosition[evaluation.position] else { continue }
        let result = evaluation.metrics
        scalar("val/macro_f1", result.macroF1, step: step)
        for (index, className) in classes.labels.names.enumerated() {
          scalar("val_f1/\(className)", result.f1[index], step: step)
          scalar("val_precision/\(className)", result.precision[index], step: step)
          scalar("val_recall/\(className)", result.recall[index], step: step)
        }
      }
    }
    for event in events {
      guard let text = hotEditText(event.fields) else { continue }
      file.text("hot_edits", text, step: event.step, wallTime: event.time)
    }
    let endTime = events.last?.time ?? clock.time(atStep: Int.max)
    file.hparamsSessionEnd(sessionStatus(status), endTime: endTime)
    return (file, hparams, tags, startTime)
  }

  static func sessionStatus(_ status: RunStatus?) -> TensorBoardEventFile.SessionStatus {
    switch status {
    case .completed?, .earlyStopped?, .stopped?, .pruned?: .success
    case .diverged?, .failed?, .interrupted?: .failure
    case .running?, .paused?: .running
    case nil: .unknown
    }
  }

  /// `learning_rate = 0.0001`, `freeze hidden1 (user)`: one line per change made during the run.
  static func hotEditText(_ fields: [String: Any]) -> String? {
    switch fields["event"] as? String {
    case "hot_edit":
      guard let key = fields["key"] as? String else { return nil }
      return "\(key) = \(fields["value"].map { "\($0)" } ?? "?")"
    case let kind? where kind == "freeze" || kind == "unfreeze":
      let group = fields["group"] as? String ?? "?"
      let by = (fields["by"] as? String).map { " (\($0))" } ?? ""
      return "\(kind) \(group)\(by)"
    default:
      return nil
    }
  }

  // MARK: - Reading the run

  /// A numeric CSV table: column names and, per complete row, each column's value (nil when empty
  /// or not a number).
  struct Table {
    var columns: [String]
    var rows: [[String: Double?]]
  }

  static func table(_ url: URL, required: Bool) throws -> Table? {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      if required { throw RunDirectoryError(path: url.path, reason: "cannot be read") }
      return nil
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard let header = lines.first else { return Table(columns: [], rows: []) }
    let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var rows: [[String: Double?]] = []
    // The last line may be torn by a writer still appending; it has too few fields and is skipped.
    for line in lines.dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == columns.count else { continue }
      var row: [String: Double?] = [:]
      for (column, field) in zip(columns, fields) { row[column] = Double(field.lowercased()) }
      rows.append(row)
    }
    return Table(columns: columns, rows: rows)
  }

  struct RunEvent {
    var step: Int
    var time: Double
    var fields: [String: Any]
  }

  static func readEvents(_ url: URL) -> [RunEvent] {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    let formatter = ISO8601DateFormatter()
    return text.split(separator: "\n").compactMap { line in
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let time = (object["time"] as? String).flatMap(formatter.date(from:))
      else { return nil }
      return RunEvent(step: object["step"] as? Int ?? 0, time: time.timeIntervalSince1970, fields: object)
    }
  }

  /// The top-level scalars of `config.yaml` (any writer's keys); lists become their text.
  static func readHParams(_ url: URL) -> [(String, TensorBoardEventFile.HParamValue)] {
    guard let text = try? String(contentsOf: url, encoding: .utf8),
      let mapping = (try? Yams.compose(yaml: text))??.mapping
    else { return [] }
    return mapping.compactMap { key, node in
      guard let name = key.string else { return nil }
      switch node {
      case .scalar(let scalar):
        if let flag = Bool.construct(from: scalar) { return (name, .flag(flag)) }
        if let number = Int.construct(from: scalar) { return (name, .number(Double(number))) }
        if let number = Double.construct(from: scalar) { return (name, .number(number)) }
        return (name, .text(scalar.string))
      case .sequence(let items):
        return (name, .text(items.compactMap(\.string).joined(separator: ", ")))
      default:
        return nil
      }
    }
  }

  private static func fileDate(_ url: URL) -> Double {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.creationDate] as? Date ?? Date())
      .timeIntervalSince1970
  }

  /// Wall time of a step, interpolated between the evaluations of `metrics.csv` (whose `seconds`
  /// column counts from the start); steps.csv rows carry no time of their own.
  struct WallClock {
    var start: Double
    var points: [(step: Double, seconds: Double)]

    init(start: Double, metrics: Table) {
      self.start = start
      points = metrics.rows.compactMap { row in
        guard let step = row["step"] ?? nil, let seconds = row["seconds"] ?? nil else { return nil }
        return (step, seconds)
      }
    }

    func time(atStep step: Int) -> Double {
      let x = Double(step)
      guard let first = points.first, let last = points.last else { return start }
      if x <= first.step { return start + first.seconds }
      if x >= last.step { return start + last.seconds }
      let upper = points.firstIndex { $0.step >= x }!
      let (a, b) = (points[upper - 1], points[upper])
      let fraction = b.step > a.step ? (x - a.step) / (b.step - a.step) : 1
      return start + a.seconds + fraction * (b.seconds - a.seconds)
    }
  }
}
