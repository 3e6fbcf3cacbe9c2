/// The bottom line: run state, progress, speed, ETA, best validation result and the main keys.
public struct StatusBar: Sendable {
  /// The run's state as the status bar names and colours it.
  public enum RunState: String, CaseIterable, Sendable {
    case idle, running, paused, stopped, finished, earlyStopped, diverged, failed
    /// The machine is busy without a run of the user's own: a hyperparameter search or an LR range test.
    case searching, lrTest

    public var word: String {
      switch self {
      case .earlyStopped: "EARLY-STOPPED"
      case .lrTest: "LR-TEST"
      default: rawValue.uppercased()
      }
    }

    public var role: ColorRole {
      switch self {
      case .idle, .stopped: .dimText
      case .running, .searching, .lrTest: .good
      case .paused: .warning
      case .finished, .earlyStopped: .best
      case .diverged, .failed: .error
      }
    }
  }

  /// A key and what it does, drawn as `s start`.
  public struct KeyHint: Sendable, Equatable {
    public var key: String
    public var action: String
    public init(_ key: String, _ action: String) {
      self.key = key
      self.action = action
    }
  }

  public var state: RunState
  public var epoch: Int?
  public var totalEpochs: Int?
  public var step: Int?
  public var samplesPerSecond: Double?
  /// Real (non-padding) tokens per second of a text run; nil for feature rows.
  public var tokensPerSecond: Double?
  public var etaSeconds: Double?
  public var bestValidationLoss: Double?
  public var bestValidationAccuracy: Double?
  public var keyHints: [KeyHint]
  /// A short warning such as `overfitting since ep 12`, shown after the state.
  public var alert: String?

  public init(
    state: RunState, epoch: Int? = nil, totalEpochs: Int? = nil, step: Int? = nil,
    samplesPerSecond: Double? = nil, tokensPerSecond: Double? = nil, etaSeconds: Double? = nil,
    bestValidationLoss: Double? = nil,
    bestValidationAccuracy: Double? = nil, keyHints: [KeyHint] = [], alert: String? = nil
  ) {
    self.alert = alert
    self.state = state
    self.epoch = epoch
    self.totalEpochs = totalEpochs
    self.step = step
    self.samplesPerSecond = samplesPerSecond
    self.tokensPerSecond = tokensPerSecond
    self.etaSeconds = etaSeconds
    self.bestValidationLoss = bestValidationLoss
    self.bestValidationAccuracy = bestValidationAccuracy
    self.keyHints = keyHints
  }

  /// A piece of the bar; `priority` decides what goes first when the line is too narrow (low goes first).
  struct Segment {
    var text: String
    var style: Style
    var priority: Int
  }

  func infoSegments() -> [Segment] {
    let plain = Style(foreground: .text, background: .selection)
    var segments = [
      Segment(
        text: " \(state.word) ",
        style: Style(foreground: state.role, background: .selection, bold: true, reverse: false),
        priority: 100)
    ]
    if let epoch {
      segments.append(
        Segment(text: "ep \(epoch)" + (totalEpochs.map { "/\($0)" } ?? ""), style: plain, priority: 90))
    }
    if let alert {
      segments.append(
        Segment(
          text: alert, style: Style(foreground: .warning, background: .selection, bold: true), priority: 85))
    }
    if let step { segments.append(Segment(text: "step \(step)", style: plain, priority: 30)) }
    if let samplesPerSecond {
      segments.append(Segment(text: NumberFormat.rate(samplesPerSecond), style: plain, priority: 20))
    }
    if let tokensPerSecond {
      segments.append(
        Segment(text: NumberFormat.compact(tokensPerSecond) + " tok/s", style: plain, priority: 19))
    }
    if state == .running || state == .paused {
      segments.append(Segment(text: "ETA " + NumberFormat.duration(etaSeconds), style: plain, priority: 70))
    }
    if bestValidationLoss != nil || bestValidationAccuracy != nil {
      var text = "best"
      if let bestValidationLoss { text += " " + NumberFormat.compact(bestValidationLoss) }
      if let bestValidationAccuracy {
        text += (bestValidationLoss == nil ? " " : " · ") + NumberFormat.percent(bestValidationAccuracy)
      }
      segments.append(
        Segment(text: text, style: Style(foreground: .best, background: .selection), priority: 80))
    }
    return segments
  }

  /// Draws the bar on row `y` from column `x`, dropping the least useful pieces until it fits `width`.
  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int) {
    guard width > 0 else { return }
    let barStyle = Style(foreground: .selectionText, background: .selection)
    buffer.fill(x: x, y: y, width: width, height: 1, cell: Cell(style: barStyle))
    var info = infoSegments()
    var hints = keyHints
    func infoWidth() -> Int { info.reduce(0) { $0 + $1.text.count } + 2 * max(0, info.count - 1) }
    func hintsWidth() -> Int {
      hints.isEmpty
        ? 0 : hints.reduce(0) { $0 + $1.key.count + 1 + $1.action.count } + 2 * (hints.count - 1) + 1
    }
    // Keep a couple of key hints as long as possible: they are how a new user finds their way.
    while infoWidth() + (hints.isEmpty ? 0 : 2 + hintsWidth()) > width {
      if hints.count > 2 {
        hints.removeLast()
      } else if info.count > 1,
        let lowest = info.indices.dropFirst().min(by: { info[$0].priority < info[$1].priority }),
        info[lowest].priority < 80 || hints.isEmpty
      {
        info.remove(at: lowest)
      } else if !hints.isEmpty {
        hints.removeLast()
      } else {
        break
      }
    }
    var column = x
    let end = x + width
    for (index, segment) in info.enumerated() {
      if index > 0 { column += 2 }
      column = buffer.put(segment.text, x: column, y: y, style: segment.style, maxWidth: max(0, end - column))
    }
    if infoWidth() > width { buffer[end - 1, y] = Cell(character: "…", style: barStyle) }
    guard !hints.isEmpty else { return }
    column = end - hintsWidth()
    for (index, hint) in hints.enumerated() {
      if index > 0 { column += 2 }
      column = buffer.put(
        hint.key, x: column, y: y, style: Style(foreground: .highlight, background: .selection, bold: true))
      column = buffer.put(" " + hint.action, x: column, y: y, style: barStyle)
    }
  }
}
