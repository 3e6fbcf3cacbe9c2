import Foundation
import Training

/// Reports a headless run: a live progress line on a terminal, one plain line per epoch when piped.
final class HeadlessProgress {
  private let epochs: Int
  private let interactive: Bool
  private var stepsPerEpoch = 1
  private var totalSteps = 1
  private var lastDraw = Date.distantPast
  private var latestEpoch: EpochMetrics?
  /// The best evaluation so far, so the summary can name a mid-epoch best by its position.
  private var bestEvaluation: EpochMetrics?
  private var startedAt = Date()
  private var silenced = false

  init(epochs: Int, interactive: Bool) {
    self.epochs = epochs
    self.interactive = interactive
  }

  func handle(_ event: TrainingEvent) {
    switch event {
    case .started(let start):
      stepsPerEpoch = start.stepsPerEpoch
      totalSteps = max(1, start.totalSteps)
      startedAt = Date()
      let destination = start.directory.map { " → \($0)" } ?? ""
      let frozen = start.frozen.isEmpty ? "none" : start.frozen.joined(separator: ",")
      emit(
        "training \(start.trainSamples) samples (validation \(start.validationSamples)), "
          + "\(epochs) epochs × \(start.stepsPerEpoch) steps, frozen: \(frozen)\(destination)")
    case .step(let step):
      guard interactive, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = Date()
      drawBar(step: step)
    case .epoch(let metrics):
      latestEpoch = metrics
      if metrics.isBest { bestEvaluation = metrics }
      emit(Self.epochLine(metrics, epochs: epochs))
    case .hotEdit(let edit, let step):
      if case .freeze(let group, let frozen, _) = edit {
        emit("step \(step): \(group) \(frozen ? "frozen" : "unfrozen")")
      }
    case .message(let text):
      emit(text)
    case .statusChanged, .finished:
      break
    }
  }

  /// One line per evaluation; a mid-epoch one (`eval_every_steps`) reads `epoch 2.57/40 (step 18)`.
  static func epochLine(_ m: EpochMetrics, epochs: Int) -> String {
    String(
      format: "epoch %@/%d%@  train loss %.4f acc %.3f  val loss %.4f acc %.3f  lr %.3g  %.1fs%@",
      m.epochText, epochs, m.isEpochEnd ? "" : " (step \(m.step))", m.trainLoss, m.trainAccuracy,
      m.validationLoss, m.validationAccuracy, m.learningRate, m.seconds, m.isBest ? "  *best" : "")
  }

  private func drawBar(step: StepMetrics) {
    let fraction = min(1, Double(step.step) / Double(totalSteps))
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let elapsed = Date().timeIntervalSince(startedAt)
    let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
    let line = String(
      format: "epoch %d/%d %@ loss %.4f acc %.3f  %.0f samples/s  ETA %@", step.epoch, epochs, bar,
      step.loss, step.accuracy, step.samplesPerSecond, Self.duration(eta))
    output("\r\u{1B}[2K\(line)")
  }

  private func emit(_ line: String) {
    let prefix = interactive ? "\r\u{1B}[2K" : ""
    output("\(prefix)\(line)\n")
  }

  /// After SIGHUP a terminal on stdout is gone; writing to it would only fail, so output stops.
  func terminalClosed() {
    if interactive { silenced = true }
  }

  /// Writes with write(2) and ignores failures: output to a closed terminal or pipe fails (EIO, EPIPE),
  /// and `FileHandle.write` would trap on that before the run had saved its last epoch.
  private func output(_ text: String) {
    guard !silenced else { return }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      bytes = bytes.dropFirst(written)
    }
  }

  func printSummary(_ summary: RunSummary, directory: String) {
    var bestText = String(summary.bestEpoch)
    if let best = bestEvaluation, best.step == summary.bestStep, !best.isEpochEnd {
      bestText = "\(best.epochText) (step \(best.step))"
    }
    var lines = [
      "status \(summary.status.rawValue) after \(summary.epochsRun) epochs (\(summary.steps) steps)",
      String(
        format: "best epoch %@: val loss %.4f, val accuracy %.3f", bestText,
        summary.bestValidationLoss, summary.bestValidationAccuracy),
    ]
    if let classes = summary.bestClasses {
      // The classes the best epoch gets most wrong, so a poor macro-F1 names its cause.
      let weakest = classes.classes.filter { $0.support > 0 }.sorted { $0.f1 < $1.f1 }.prefix(3)
      let named = weakest.map { String(format: "%@ %.2f", $0.name, $0.f1) }.joined(separator: ", ")
      lines[1] += String(format: ", macro-F1 %.3f (lowest F1: %@)", classes.macroF1, named)
    }
    if let test = summary.testAccuracy {
      lines.append(String(format: "test accuracy %.3f (best checkpoint)", test))
    }
    lines.append(
      String(
        format: "%.0f samples/s over %@ wall time", summary.samplesPerSecond,
        Self.duration(summary.wallSeconds)))
    if let reason = summary.reason { lines.append(reason) }
    lines.append("run directory: \(directory)")
    emit(lines.joined(separator: "\n"))
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--" }
    let total = Int(seconds.rounded())
    if total < 60 { return String(format: "%.1fs", seconds) }
    if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
    return "\(total / 3600)h\(String(format: "%02d", total / 60 % 60))m"
  }
}

/// Starts `trainer` on its thread and reports it until it ends. SIGINT/SIGTERM interrupt the run at the
/// next batch (saving `last`); SIGHUP lets it finish the epoch first, since nobody is watching and the
/// epoch is worth keeping. Returns the summary and the first signal, if any.
func superviseHeadless(_ trainer: Trainer, progress: HeadlessProgress) -> (RunSummary, Int32) {
  installStopSignalHandlers()
  // `tunetop train | tee log` loses its reader when the SSH session drops; the write must fail with
  // EPIPE instead of killing the process before the epoch is saved.
  signal(SIGPIPE, SIG_IGN)
  trainer.start()
  var signalled: Int32 = 0
  var interrupted = false
  while true {
    let received = receivedSignal.exchange(0, ordering: .relaxed)
    if received != 0 {
      if signalled == 0 { signalled = received }
      if received == SIGHUP {
        progress.terminalClosed()
        trainer.send(.interruptAtEpochEnd(reason: hangupReason))
      } else if !interrupted {
        interrupted = true
        trainer.send(.interrupt)
      }
    }
    for event in trainer.drainEvents() {
      progress.handle(event)
      if case .finished(let summary) = event { return (summary, signalled) }
    }
    Thread.sleep(forTimeInterval: 0.05)
  }
}
