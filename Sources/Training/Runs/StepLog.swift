import Foundation

/// Writes a run's `steps.csv`: step-level loss, accuracy, learning rate and gradient norms, one row
/// at most every `interval` of wall time and one for the run's last step (docs/run-directory.md), so
/// a fast run writes about twenty rows a second whatever its epoch length, and a slow one every step.
///
/// Used from the training thread only. A step that writes no row only adds to running sums.
public final class StepLog {
  public static let fileName = "steps.csv"
  public static let baseColumns = ["step", "epoch", "loss", "accuracy", "learning_rate", "grad_norm"]

  private let url: URL
  private let groups: [String]
  private let interval: Double
  private let now: () -> Double
  private var lastRow = -Double.infinity
  private var lossSum = 0.0
  private var correct = 0
  private var seen = 0
  /// The latest step recorded; its step, rate and norms go into the next row.
  private var last: StepMetrics?

  /// The header `steps.csv` gets for `groups`, bottom to top.
  public static func header(groups: [String]) -> String {
    (baseColumns + groups.map { "grad_norm/" + $0 }).joined(separator: ",")
  }

  /// Opens (creating with its header, or continuing a resumed run's) `steps.csv` in `run`.
  /// `now` is seconds on any monotonic clock; tests pass their own.
  public init(run: URL, groups: [String], interval: Double = 0.05, now: (() -> Double)? = nil) throws {
    url = run.appendingPathComponent(Self.fileName)
    self.groups = groups
    self.interval = interval
    if let now {
      self.now = now
    } else {
      let clock = ContinuousClock()
      let origin = clock.now
      self.now = {
        let parts = (clock.now - origin).components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
      }
    }
    if !FileManager.default.fileExists(atPath: url.path) {
      try append(Self.header(groups: groups))
    }
  }

  /// Adds one training step; writes a row when one is due. `count` samples gave `loss` (their mean)
  /// and `correct` right answers; a frozen group's norm is written empty.
  public func record(_ metrics: StepMetrics, correct: Int, count: Int, isTrainable: (String) -> Bool) throws {
    lossSum += metrics.loss * Double(count)
    self.correct += correct
    seen += count
    last = metrics
    let time = now()
    guard time - lastRow >= interval else { return }
    lastRow = time
    try writeRow(isTrainable: isTrainable)
  }

  /// Writes the steps recorded since the last row, if any: the run's last step always has a row.
  public func flush(isTrainable: (String) -> Bool) throws {
    guard seen > 0 else { return }
    try writeRow(isTrainable: isTrainable)
  }

  private func writeRow(isTrainable: (String) -> Bool) throws {
    guard let last else { return }
    var fields = [
      String(last.step), String(last.epoch), RunDirectory.number(lossSum / Double(max(1, seen))),
      RunDirectory.number(Double(correct) / Double(max(1, seen))), RunDirectory.number(last.learningRate),
      RunDirectory.number(last.gradientNorm),
    ]
    for group in groups {
      let norm = isTrainable(group) ? last.gradientNorms[group] : nil
      fields.append(norm.map(RunDirectory.number) ?? "")
    }
    lossSum = 0
    correct = 0
    seen = 0
    try append(fields.joined(separator: ","))
  }

  private func append(_ line: String) throws {
    do {
      try AtomicFile.appendLine(line, to: url, durable: false)
    } catch {
      throw RunDirectoryError(path: url.path, reason: String(describing: error))
    }
  }
}

/// The state of one layer group as `groups.json` records it.
public struct GroupState: Sendable, Equatable, Codable {
  public var name: String
  public var parameters: Int
  public var trainable: Bool
  public var learningRateMultiplier: Double

  public init(name: String, parameters: Int, trainable: Bool, learningRateMultiplier: Double) {
    self.name = name
    self.parameters = parameters
    self.trainable = trainable
    self.learningRateMultiplier = learningRateMultiplier
  }

  enum CodingKeys: String, CodingKey {
    case name, parameters, trainable
    case learningRateMultiplier = "lr_multiplier"
  }
}

/// A run's `groups.json`: its layer groups bottom to top and the step they last changed at.
public struct GroupsFile: Sendable, Equatable, Codable {
  public static let fileName = "groups.json"
  public static let currentFormat = 1

  public var format: Int
  public var step: Int
  public var groups: [GroupState]

  public init(step: Int, groups: [GroupState]) {
    format = Self.currentFormat
    self.step = step
    self.groups = groups
  }

  /// The groups of `store`, in `names` order.
  public init(step: Int, names: [String], store: ParameterStore) {
    self.init(
      step: step,
      groups: names.map {
        GroupState(
          name: $0, parameters: store.parameterCount(group: $0), trainable: store.isTrainable(group: $0),
          learningRateMultiplier: (Double(store.learningRateMultiplier(group: $0)) * 1e6).rounded() / 1e6)
      })
  }

  /// Replaces `groups.json` in `run` atomically.
  public func write(run: URL) throws {
    let target = run.appendingPathComponent(Self.fileName)
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: target, durable: false)
    } catch {
      throw RunDirectoryError(path: target.path, reason: String(describing: error))
    }
  }

  /// The `groups.json` of the run at `run`, or nil when it has none or it does not read.
  public static func read(run: URL) -> GroupsFile? {
    (try? Data(contentsOf: run.appendingPathComponent(fileName)))
      .flatMap { try? JSONDecoder().decode(GroupsFile.self, from: $0) }
  }
}
