/// One row of the layers panel: freeze state, name, size, LR multiplier and live gradient norm.
public struct LayerRow: Sendable {
  public var name: String
  public var trainable: Bool
  public var parameterCount: Int
  public var learningRateMultiplier: Double
  /// Recent global gradient norms of this group, oldest first (empty while frozen or idle).
  public var gradientNorms: [Double]
  /// The epoch at which gradual unfreezing will make this group trainable, if it is scheduled.
  public var unfreezesAtEpoch: Int?
  public var focused: Bool
  public var nameWidth: Int

  public init(
    name: String, trainable: Bool, parameterCount: Int, learningRateMultiplier: Double = 1,
    gradientNorms: [Double] = [], unfreezesAtEpoch: Int? = nil, focused: Bool = false, nameWidth: Int = 8
  ) {
    self.name = name
    self.trainable = trainable
    self.parameterCount = parameterCount
    self.learningRateMultiplier = learningRateMultiplier
    self.gradientNorms = gradientNorms
    self.unfreezesAtEpoch = unfreezesAtEpoch
    self.focused = focused
    self.nameWidth = nameWidth
  }

  /// Draws `● hidden2  12.3k ×0.5   ▁▂▅▇ 0.012` for a trainable group and
  /// `○ hidden1  12.3k ×0.25  unfreezes at epoch 3` (shortened to fit) or `frozen` for a frozen one.
  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int) {
    guard width > 0 else { return }
    let base = focused ? Style(foreground: .selectionText, background: .selection) : Style()
    buffer.fill(x: x, y: y, width: width, height: 1, cell: Cell(style: base))
    let end = x + width
    var column = x
    var mark = base
    mark.foreground = trainable ? .trainable : .frozen
    mark.bold = true
    column = buffer.put(trainable ? "●" : "○", x: column, y: y, style: mark, maxWidth: end - column) + 1
    var nameStyle = base
    nameStyle.dim = !trainable && !focused
    column =
      buffer.put(TextFit.pad(name, to: nameWidth), x: column, y: y, style: nameStyle, maxWidth: end - column)
      + 1
    column =
      buffer.put(
        TextFit.pad(NumberFormat.count(parameterCount), to: 6, alignRight: true), x: column, y: y,
        style: base, maxWidth: max(0, end - column)) + 1
    column =
      buffer.put(
        TextFit.pad(NumberFormat.multiplier(learningRateMultiplier), to: 6), x: column, y: y, style: base,
        maxWidth: max(0, end - column)) + 1
    guard column < end else { return }

    let room = end - column
    if trainable {
      // Live gradient norms: a log-scale sparkline of the recent steps and the latest value.
      let latest = gradientNorms.last(where: \.isFinite).map(NumberFormat.compact) ?? ""
      let numberWidth = min(6, room)
      let sparkWidth = room - numberWidth - 1
      var style = base
      style.foreground = .train
      if sparkWidth >= 3 {
        Sparkline(values: gradientNorms, logScale: true, overflow: .mostRecent, style: style)
          .draw(into: &buffer, x: column, y: y, width: sparkWidth)
        column += sparkWidth + 1
      }
      buffer.put(latest, x: column, y: y, style: base, maxWidth: end - column)
    } else {
      // A frozen group has no gradient; what matters is whether and when gradual unfreezing wakes it.
      var style = base
      style.foreground = focused ? .selectionText : (unfreezesAtEpoch == nil ? .dimText : .warning)
      let notes =
        unfreezesAtEpoch.map { ["unfreezes at epoch \($0)", "unfreezes ep \($0)", "↑ep \($0)"] } ?? ["frozen"]
      if let note = notes.first(where: { $0.count <= room }) {
        buffer.put(note, x: column, y: y, style: style)
      }
    }
  }
}
