import Training

/// What the dashboard remembers of the current (or last) run, built only from `TrainingEvent`s.
///
/// Memory is bounded: steps go into `BucketedSeries`, gradient norms keep a recent window, and only
/// epochs (a few hundred at most in practice) are kept whole, as DESIGN §3 asks.
public struct RunHistory: Equatable, Sendable {
  /// Where the run is in its life, as far as the dashboard knows.
  public enum Phase: Equatable, Sendable {
    /// `s` was pressed; waiting for the trainer's `.started`.
    case starting
    case active
    /// The trainer published `.finished`; the curves stay on screen.
    case ended
  }

  /// Steps of gradient norm kept per group for the layers' sparklines.
  static let gradientWindow = 256

  public var phase: Phase = .starting
  public var start: RunStart?
  public var status: RunStatus = .running
  public var stepLoss = BucketedSeries(capacity: 512)
  public var stepAccuracy = BucketedSeries(capacity: 512)
  public var epochs: [EpochMetrics] = []
  public var lastStep: StepMetrics?
  public var gradientNorms: [String: [Double]] = [:]
  /// Groups frozen right now, from `.started` and every freeze hot edit since.
  public var frozen: Set<String> = []
  public var hotEdits: [(step: Int, edit: HotEdit)] = []
  public var summary: RunSummary?
  /// Why the run ended or what went wrong, from `.message`.
  public var reason: String?
  /// The epoch where overfitting began, once the detector calls it.
  public var overfittingOnset: Int?
  /// True after the user pressed stop, until the trainer confirms.
  public var stopRequested = false

  public init() {}

  public var isActive: Bool { phase != .ended }

  public var bestEpoch: EpochMetrics? {
    epochs.filter(\.validationLoss.isFinite).min { $0.validationLoss < $1.validationLoss }
  }

  /// Applies one event; returns a message worth showing the user, if any.
  mutating func apply(_ event: TrainingEvent, patience: Int, minDelta: Double) -> StatusMessage? {
    switch event {
    case .started(let start):
      self.start = start
      phase = .active
      frozen = Set(start.frozen)
    case .step(let metrics):
      stepLoss.append(x: metrics.step, metrics.loss)
      stepAccuracy.append(x: metrics.step, metrics.accuracy)
      lastStep = metrics
      for (group, norm) in metrics.gradientNorms where !frozen.contains(group) {
        var window = gradientNorms[group, default: []]
        if window.count >= RunHistory.gradientWindow {
          window.removeFirst(window.count - RunHistory.gradientWindow + 1)
        }
        window.append(norm)
        gradientNorms[group] = window
      }
    case .epoch(let metrics):
      epochs.append(metrics)
      // Epoch 0 is the untrained model: its train loss is measured, not trained, so it is left out.
      let trained = epochs.filter { $0.epoch > 0 }
      // The run's own settings count, not whatever the form shows now.
      let detector = OverfittingDetector(
        patience: start?.hyperParameters.earlyStoppingPatience ?? patience,
        minDelta: start?.hyperParameters.minDelta ?? minDelta)
      let onset = detector.onset(
        epochs: trained.map(\.epoch), trainLoss: trained.map(\.trainLoss),
        validationLoss: trained.map(\.validationLoss))
      let wasOverfitting = overfittingOnset != nil
      overfittingOnset = onset
      if let onset, !wasOverfitting {
        return StatusMessage(
          "overfitting since epoch \(onset): validation loss rising while train loss falls", .warning)
      }
    case .statusChanged(let status):
      self.status = status
    case .hotEdit(let edit, let step):
      hotEdits.append((step, edit))
      if case .freeze(let group, let isFrozen, let bySchedule) = edit {
        if isFrozen { frozen.insert(group) } else { frozen.remove(group) }
        if bySchedule { return StatusMessage("gradual unfreezing: \(group) now trains (step \(step))") }
      }
    case .message(let text):
      reason = text
      return StatusMessage(text, .error)
    case .finished(let summary):
      self.summary = summary
      status = summary.status
      phase = .ended
      if let reason = summary.reason { self.reason = reason }
      return RunHistory.endMessage(summary, directory: start?.directory)
    }
    return nil
  }

  static func endMessage(_ summary: RunSummary, directory: String?) -> StatusMessage {
    let place = directory.map { " → \($0)" } ?? ""
    switch summary.status {
    case .diverged, .failed:
      return StatusMessage("run \(summary.status.rawValue): \(summary.reason ?? "no reason given")", .error)
    case .earlyStopped:
      return StatusMessage(
        "early-stopped after epoch \(summary.epochsRun); best epoch \(summary.bestEpoch)\(place)", .success)
    case .completed:
      return StatusMessage(
        "finished \(summary.epochsRun) epochs; best epoch \(summary.bestEpoch)\(place)", .success)
    default:
      return StatusMessage(
        "\(summary.status.rawValue) at epoch \(summary.epochsRun); best and last saved\(place)")
    }
  }

  public static func == (lhs: RunHistory, rhs: RunHistory) -> Bool {
    lhs.phase == rhs.phase && lhs.start == rhs.start && lhs.status == rhs.status
      && lhs.stepLoss == rhs.stepLoss
      && lhs.epochs == rhs.epochs && lhs.lastStep == rhs.lastStep && lhs.frozen == rhs.frozen
      && lhs.hotEdits.count == rhs.hotEdits.count && lhs.summary == rhs.summary && lhs.reason == rhs.reason
      && lhs.stopRequested == rhs.stopRequested
  }
}
