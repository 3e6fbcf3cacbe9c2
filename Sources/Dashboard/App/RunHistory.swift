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
  /// The rate each step ran at, as the trainer reports it (what another trainer's schedule did).
  public var stepLearningRate = BucketedSeries(capacity: 512)
  public var epochs: [EpochMetrics] = []
  public var lastStep: StepMetrics?
  public var gradientNorms: [String: [Double]] = [:]
  /// Groups frozen right now, from `.started` and every freeze hot edit since.
  public var frozen: Set<String> = []
  public var hotEdits: [(step: Int, edit: HotEdit)] = []
  public var summary: RunSummary?
  /// Why the run ended or what went wrong, from `.message`.
  public var reason: String?
  /// Where overfitting began, in epochs (`EpochMetrics.position`), once the detector calls it.
  public var overfittingOnset: Double?
  /// True after the user pressed stop, until the trainer confirms.
  public var stopRequested = false
  /// Per-class validation accuracy of every epoch and the latest confusion matrix.
  public var classes: ClassHistory?

  /// The best epoch by the run's `monitor` (lowest finite validation loss by default; the first of
  /// equals), kept as epochs arrive so
  /// neither an epoch nor a frame costs time proportional to the epochs so far.
  public private(set) var bestEpoch: EpochMetrics?
  /// `bestEpoch`'s monitored value, lower is better (`MonitoredMetric.score`).
  private var bestScore = Double.infinity
  private var overfitting: OverfittingTracker?

  /// At most this many epoch points go to the charts; a sparkline or braille chart has fewer columns.
  static let chartEpochLimit = 512

  public init() {}

  public var isActive: Bool { phase != .ended }

  /// The epochs to draw: all of them up to `chartEpochLimit`, else evenly spaced ones plus the best
  /// and the latest, so the cost of a frame does not grow with the length of the run.
  public var chartEpochs: [EpochMetrics] {
    let count = epochs.count
    guard count > RunHistory.chartEpochLimit else { return epochs }
    let limit = RunHistory.chartEpochLimit
    var indices = (0..<limit - 1).map { $0 * (count - 1) / (limit - 1) } + [count - 1]
    if let best = bestEpoch, let index = evaluationIndex(best.position), !indices.contains(index) {
      indices.insert(index, at: indices.firstIndex { $0 > index } ?? indices.count)
    }
    return indices.map { epochs[$0] }
  }

  /// Where the evaluation at `position` is in `epochs` (ordered by position: mid-epoch evaluations
  /// between the epoch ends), in logarithmic time.
  func evaluationIndex(_ position: Double) -> Int? {
    var low = 0
    var high = epochs.count
    while low < high {
      let middle = (low + high) / 2
      if epochs[middle].position < position { low = middle + 1 } else { high = middle }
    }
    return low < epochs.count && epochs[low].position == position ? low : nil
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
      stepLearningRate.append(x: metrics.step, metrics.learningRate)
      lastStep = metrics
      for (group, norm) in metrics.gradientNorms where !frozen.contains(group) {
        var window = gradientNorms[group, default: []]
        if window.count >= RunHistory.gradientWindow {
          window.removeFirst(window.count - RunHistory.gradientWindow + 1)
        }
        window.append(norm)
        gradientNorms[group] = window
      }
    case .epoch(var metrics):
      // Every epoch is kept, so each must be small: per-group norms are drawn from steps, not epochs,
      // and this dictionary would be most of an epoch's memory in a 100,000-epoch run.
      metrics.gradientNorms = [:]
      // Scored before the per-class metrics are dropped: val_macro_f1 needs them.
      let score = (start?.hyperParameters.monitor ?? .validationLoss).score(of: metrics)
      // Likewise the confusion matrix: only the latest is kept, in `classes`.
      if let perClass = metrics.classes {
        if let labels = start?.classLabels, labels.count == perClass.classes, classes?.names != labels.names {
          classes?.names = labels.names
        }
        if classes == nil {
          let names = start?.classLabels?.names ?? ClassLabels.numbered(perClass.classes).names
          classes = ClassHistory(
            names: names.count == perClass.classes ? names : ClassLabels.numbered(perClass.classes).names,
            epoch: metrics.epoch, metrics: perClass, position: metrics.position)
        } else {
          classes?.append(epoch: metrics.epoch, metrics: perClass, position: metrics.position)
        }
        metrics.classes = nil
      }
      epochs.append(metrics)
      if score.isFinite, score < bestScore {
        bestScore = score
        bestEpoch = metrics
      }
      // Epoch 0 is the untrained model: its train loss is measured, not trained, so it is left out.
      guard metrics.epoch > 0 else { return nil }
      if overfitting == nil {
        // The run's own settings count, not whatever the form shows now.
        overfitting = OverfittingTracker(
          OverfittingDetector(
            patience: start?.hyperParameters.earlyStoppingPatience ?? patience,
            minDelta: start?.hyperParameters.minDelta ?? minDelta))
      }
      // Every evaluation counts, mid-epoch ones too: `patience` is in evaluations, as early stopping's.
      let onset = overfitting?.observe(
        position: metrics.position, trainLoss: metrics.trainLoss, validationLoss: metrics.validationLoss)
      let wasOverfitting = overfittingOnset != nil
      overfittingOnset = onset
      if let onset, !wasOverfitting {
        return StatusMessage(
          "overfitting since epoch \(EpochPosition.text(onset)): validation loss rising while train loss falls",
          .warning)
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
      return RunHistory.endMessage(summary, directory: start?.directory, best: bestEpoch, last: epochs.last)
    }
    return nil
  }

  /// Puts a resumed run's earlier epochs back, as read from its files: the per-class metrics some
  /// carry go into `classes` (numbered until the run's start names them), the epochs are kept small.
  mutating func restore(earlier: [EpochMetrics]) {
    epochs = earlier.map { metrics in
      if let perClass = metrics.classes {
        if classes == nil {
          classes = ClassHistory(
            names: ClassLabels.numbered(perClass.classes).names, epoch: metrics.epoch, metrics: perClass,
            position: metrics.position)
        } else {
          classes?.append(epoch: metrics.epoch, metrics: perClass, position: metrics.position)
        }
      }
      var kept = metrics
      kept.classes = nil
      return kept
    }
  }

  /// `best`, the best evaluation as the charts have it, names a mid-epoch best by its position (7.42)
  /// where the summary can only say the epoch it fell in.
  static func endMessage(
    _ summary: RunSummary, directory: String?, best: EpochMetrics? = nil, last: EpochMetrics? = nil
  ) -> StatusMessage {
    let place = directory.map { " → \($0)" } ?? ""
    let bestText =
      best.flatMap { $0.epoch == summary.bestEpoch && $0.step == summary.bestStep ? $0.epochText : nil }
      ?? String(summary.bestEpoch)
    // An early stop at a mid-epoch evaluation ends there, inside the epoch after the last complete one.
    let stopText = last.flatMap { $0.step == summary.steps ? $0.epochText : nil } ?? String(summary.epochsRun)
    switch summary.status {
    case .diverged, .failed:
      return StatusMessage("run \(summary.status.rawValue): \(summary.reason ?? "no reason given")", .error)
    case .earlyStopped:
      return StatusMessage(
        "early-stopped after epoch \(stopText); best epoch \(bestText)\(place)", .success)
    case .completed:
      return StatusMessage(
        "finished \(summary.epochsRun) epochs; best epoch \(bestText)\(place)", .success)
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
      && lhs.stopRequested == rhs.stopRequested && lhs.classes == rhs.classes
  }
}
