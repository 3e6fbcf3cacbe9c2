import Foundation

/// Follows a run written by another process — `tunetop train`, another dashboard, a PyTorch loop
/// using the Python package — through its files, and turns what they add into the `TrainingEvent`s
/// an in-process trainer publishes, so the dashboard draws a watched run as it draws its own.
///
/// Each `poll()` reads only what was appended since the last one (`metrics.csv`, `steps.csv`,
/// `events.jsonl`) and re-reads `summary.json` and `groups.json` only when their size or mtime
/// changed. Used from one thread.
public final class RunFollower {
  /// What one poll found: events for the reducer and answers to control commands by id.
  public struct Update: Sendable, Equatable {
    public var events: [TrainingEvent] = []
    public var answers: [Int: ControlAnswer] = [:]
    public var isEmpty: Bool { events.isEmpty && answers.isEmpty }
  }

  public let run: URL
  private let metrics: AppendedLines
  private let steps: AppendedLines
  private let events: AppendedLines
  private var metricsParser = MetricsRowParser()
  /// Column of each `steps.csv` field this follower uses, from its header.
  private var stepColumns: [String: Int]?
  private var stepGroups: [(name: String, column: Int)] = []
  private var summaryStamp: FileStamp?
  private var groupsStamp: FileStamp?
  private var started = false
  private var ended = false
  private var status: RunStatus?
  private var summary: RunSummary?
  private var frozen: Set<String> = []
  private var samplesPerSecond = 0.0
  private var lastStep = 0

  public init(run: URL) {
    self.run = run
    metrics = AppendedLines(url: run.appendingPathComponent("metrics.csv"))
    steps = AppendedLines(url: run.appendingPathComponent(StepLog.fileName))
    events = AppendedLines(url: run.appendingPathComponent("events.jsonl"))
  }

  /// True once the run has ended (its summary is final, or its writer is gone) and all was read.
  public var isFinished: Bool { ended }

  /// Everything new since the last call.
  public func poll() -> Update {
    var update = Update()
    guard !ended else { return update }
    if !started {
      started = true
      update.events.append(.started(runStart()))
    }
    // The summary first: a writer saves everything else before it says the run ended, so the
    // files read after it hold every row, and the end goes after them.
    let end = readSummary(into: &update)
    // Events replay every freeze change from the start; groups.json then catches a writer that
    // changes groups without logging it.
    for line in events.read() { readEvent(line, into: &update) }
    readGroups(into: &update)
    for line in metrics.read() {
      if let epoch = metricsParser.parse(Substring(line)) { update.events.append(.epoch(epoch)) }
    }
    for line in steps.read() {
      if let step = stepMetrics(line) { update.events.append(.step(step)) }
    }
    update.events += end
    return update
  }

  // MARK: - The run's shape

  /// What the charts need to lay out: settings, groups and, where they can be known, step counts.
  func runStart() -> RunStart {
    let groups = GroupsFile.read(run: run)
    let summary = RunCatalog.readSummary(run)
    let configPath = run.appendingPathComponent("config.yaml").path
    let tunetopSettings =
      (summary?.isTunetopRun ?? true) ? (try? RunConfigReader.read(path: configPath)) : nil
    let settings = tunetopSettings ?? HyperParameters()
    let trainSamples = startEventTrainSamples() ?? 0
    // Optimizer steps, as the trainer counts them: `grad_accum_steps` batches make one.
    let stepsPerEpoch = trainSamples > 0 ? settings.stepsPerEpoch(trainSamples: trainSamples) : 0
    let names = groups?.groups.map(\.name) ?? []
    // The run's events replay its freeze changes from the start, so a tunetop run begins frozen as
    // its config says; another trainer's run begins as its groups.json stands now.
    if let tunetopSettings {
      frozen = Set(
        UnfreezePlan(groups: names, frozen: tunetopSettings.frozen, every: tunetopSettings.unfreezeEvery)
          .frozenGroups(atEpoch: 1))
    } else {
      frozen = Set(groups?.groups.filter { !$0.trainable }.map(\.name) ?? [])
    }
    return RunStart(
      directory: run.path, hyperParameters: settings, stepsPerEpoch: max(1, stepsPerEpoch),
      totalSteps: stepsPerEpoch > 0 ? stepsPerEpoch * settings.epochs : max(1, summary?.steps ?? 1),
      groups: names,
      parameterCounts: Dictionary(
        groups?.groups.map { ($0.name, $0.parameters) } ?? [], uniquingKeysWith: { first, _ in first }),
      frozen: names.filter { frozen.contains($0) }, trainSamples: trainSamples, validationSamples: 0)
  }

  private func startEventTrainSamples() -> Int? {
    guard let text = try? String(contentsOf: events.url, encoding: .utf8),
      let line = text.split(separator: "\n").first,
      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      object["event"] as? String == "start"
    else { return nil }
    return (object["train_samples"] as? NSNumber)?.intValue
  }

  /// Freeze changes `events.jsonl` did not report (a writer that only rewrites `groups.json`).
  private func readGroups(into update: inout Update) {
    let url = run.appendingPathComponent(GroupsFile.fileName)
    let stamp = FileStamp(url)
    guard stamp != groupsStamp else { return }
    groupsStamp = stamp
    guard let file = GroupsFile.read(run: run) else { return }
    for group in file.groups where frozen.contains(group.name) == group.trainable {
      setFrozen(group.name, !group.trainable)
      update.events.append(
        .hotEdit(.freeze(group: group.name, frozen: !group.trainable, bySchedule: false), step: file.step))
    }
  }

  private func setFrozen(_ group: String, _ isFrozen: Bool) {
    if isFrozen { frozen.insert(group) } else { frozen.remove(group) }
  }

  // MARK: - Events

  private func readEvent(_ line: String, into update: inout Update) {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      let kind = object["event"] as? String
    else { return }
    let step = (object["step"] as? NSNumber)?.intValue ?? lastStep
    switch kind {
    case "pause":
      status = .paused
      update.events.append(.statusChanged(.paused))
    case "resume":
      status = .running
      update.events.append(.statusChanged(.running))
    case "hot_edit":
      guard let key = object["key"] as? String, let value = (object["value"] as? NSNumber)?.doubleValue
      else { return }
      switch key {
      case "learning_rate": update.events.append(.hotEdit(.learningRate(value), step: step))
      case "dropout": update.events.append(.hotEdit(.dropout(value), step: step))
      case "weight_decay": update.events.append(.hotEdit(.weightDecay(value), step: step))
      default: break
      }
    case "freeze", "unfreeze":
      guard let group = object["group"] as? String else { return }
      let isFrozen = kind == "freeze"
      guard frozen.contains(group) != isFrozen else { return }
      setFrozen(group, isFrozen)
      update.events.append(
        .hotEdit(
          .freeze(group: group, frozen: isFrozen, bySchedule: object["by"] as? String == "schedule"),
          step: step))
    case "command":
      guard let id = (object["id"] as? NSNumber)?.intValue,
        let answer = ControlAnswer.parse(eventLine: line, id: id)
      else { return }
      update.answers[id] = answer
    case "control_refused":
      update.events.append(.message(object["reason"] as? String ?? "the trainer refuses control.jsonl"))
    case "diverged", "pruned", "interrupt":
      if let reason = object["reason"] as? String { update.events.append(.message(reason)) }
    default:
      break
    }
  }

  // MARK: - Steps

  private func stepMetrics(_ line: String) -> StepMetrics? {
    let cells = line.split(separator: ",", omittingEmptySubsequences: false)
    guard let columns = stepColumns else {
      let names = cells.map { $0.trimmingCharacters(in: .whitespaces) }
      stepColumns = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
      stepGroups = names.enumerated().compactMap { index, name in
        name.hasPrefix("grad_norm/") ? (String(name.dropFirst("grad_norm/".count)), index) : nil
      }
      return nil
    }
    func cell(_ name: String) -> Substring? {
      columns[name].flatMap { $0 < cells.count ? cells[$0] : nil }
    }
    guard let step = cell("step").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
      return nil
    }
    lastStep = step
    var norms = GroupNorms(names: stepGroups.map(\.name))
    for (index, group) in stepGroups.enumerated() where group.column < cells.count {
      norms[index] = CSVNumber.parse(cells[group.column]) ?? 0
    }
    return StepMetrics(
      step: step, epoch: cell("epoch").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0,
      loss: cell("loss").flatMap(CSVNumber.parse) ?? .nan,
      accuracy: cell("accuracy").flatMap(CSVNumber.parse) ?? .nan,
      learningRate: cell("learning_rate").flatMap(CSVNumber.parse) ?? .nan,
      gradientNorm: cell("grad_norm").flatMap(CSVNumber.parse) ?? .nan, gradientNorms: norms,
      samplesPerSecond: samplesPerSecond)
  }

  // MARK: - Summary and liveness

  /// Reads a changed summary; returns the events that end the run once it has ended.
  private func readSummary(into update: inout Update) -> [TrainingEvent] {
    let url = run.appendingPathComponent("summary.json")
    let stamp = FileStamp(url)
    if stamp != summaryStamp {
      summaryStamp = stamp
      if let read = RunCatalog.readSummary(run) {
        summary = read
        samplesPerSecond = read.samplesPerSecond
        if read.status != status, !read.status.isFinal {
          status = read.status
          update.events.append(.statusChanged(read.status))
        }
      }
    }
    guard let summary else { return [] }
    if summary.status.isFinal {
      ended = true
      return [.statusChanged(summary.status), .finished(summary)]
    }
    if let writer = summary.writer, !writer.isAlive {
      ended = true
      var killed = summary
      killed.status = .interrupted
      killed.reason =
        "the run's process (pid \(writer.pid) on \(writer.host)) is gone; its summary still said \(summary.status.rawValue)"
      return [.message(killed.reason!), .statusChanged(.interrupted), .finished(killed)]
    }
    return []
  }
}

/// What `stat` says of a file: enough to notice an atomic replace or an append.
struct FileStamp: Equatable, Sendable {
  var seconds: Int
  var nanoseconds: Int
  var size: Int64
  var inode: UInt64

  init?(_ url: URL) {
    var info = stat()
    guard stat(url.path, &info) == 0 else { return nil }
    seconds = Int(info.st_mtim.tv_sec)
    nanoseconds = Int(info.st_mtim.tv_nsec)
    size = Int64(info.st_size)
    inode = UInt64(info.st_ino)
  }
}
