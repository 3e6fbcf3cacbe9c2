import Training

/// The marked runs' curves overlaid in one braille chart, one colour each, above a legend that names
/// every run and only the settings that differ between them.
struct CompareScreen {
  var state: DashboardState

  /// One theme slot per run, in marking order.
  static let roles: [ColorRole] = [.validation, .train, .learningRate, .good, .warning, .frozen]

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.runs
    let title = "\(Screen.compare.title) · \(view.metric.rawValue) by \(view.axis.rawValue)"
    let inner = Box(title: title, focused: true, trailer: "v metric · x axis · Esc back").draw(
      into: &buffer, in: rect)
    guard inner.width > 10, inner.height > 3 else { return }
    let curves = view.curves
    guard !curves.isEmpty else {
      buffer.put("reading runs…", x: inner.x + 1, y: inner.y, style: Style(foreground: .dimText))
      return
    }
    let keys = RunsView.differingKeys(curves)
    let legend = legendLines(curves, keys: keys, width: inner.width - 1)
    let chartHeight = max(2, inner.height - legend.count - 1)
    let series = curves.enumerated().map { index, curve in
      BrailleChart.Series(
        points: curve.points(view.metric, axis: view.axis),
        role: CompareScreen.roles[index % CompareScreen.roles.count])
    }
    let forkStarts = curves.compactMap { curve -> BrailleChart.VerticalMarker? in
      guard let parent = curve.parent else { return nil }
      return BrailleChart.VerticalMarker(x: Double(view.axis == .epoch ? parent.epoch : parent.step))
    }
    if series.allSatisfy({ $0.points.isEmpty }) {
      buffer.put(
        "no \(view.metric.rawValue) recorded yet in these runs", x: inner.x + 1, y: inner.y,
        style: Style(foreground: .dimText))
    } else {
      BrailleChart(series: series, verticalMarkers: forkStarts).draw(
        into: &buffer, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: chartHeight))
    }
    var y = inner.y + chartHeight + 1
    for line in legend where y < inner.maxY {
      var x = inner.x + 1
      if let role = line.role {
        x = buffer.put("■ ", x: x, y: y, style: Style(foreground: role, bold: true))
      }
      buffer.put(TextFit.truncate(line.text, to: inner.maxX - x), x: x, y: y, style: line.style)
      y += 1
    }
  }

  struct LegendLine {
    var role: ColorRole?
    var text: String
    var style: Style
  }

  func legendLines(_ curves: [RunCurve], keys: [ConfigKey], width: Int) -> [LegendLine] {
    let names = curves.map { RunsScreen.shortName($0.name) }
    let nameWidth = min(names.map(\.count).max() ?? 0, max(12, width / 3))
    var lines = curves.enumerated().map { index, curve in
      let best = curve.epochs.filter(\.validationLoss.isFinite).min { $0.validationLoss < $1.validationLoss }
      var text = TextFit.pad(names[index], to: nameWidth)
      text +=
        best.map { " best \(NumberFormat.fixed($0.validationLoss, decimals: 4)) @\($0.epochText)" }
        ?? " no epochs"
      let settings = curve.settings ?? HyperParameters()
      if let parent = curve.parent { text += "  ↳ \(RunsScreen.shortName(parent.run))@\(parent.epoch)" }
      let differences = keys.filter { $0 != .baseModel || curve.parent == nil }
        .map { key in
          // An empty list (no frozen groups) would read as a cut-off `frozen=`.
          let value = settings.value(of: key)
          return "\(key.name)=\(value.isEmpty ? "none" : value)"
        }
      if !differences.isEmpty { text += "  " + differences.joined(separator: " ") }
      return LegendLine(
        role: CompareScreen.roles[index % CompareScreen.roles.count], text: text, style: Style())
    }
    if keys.isEmpty {
      lines.append(
        LegendLine(role: nil, text: "same settings in every run", style: Style(foreground: .dimText)))
    }
    return lines
  }
}
