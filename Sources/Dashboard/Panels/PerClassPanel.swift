import Training

/// The Accuracy panel's per-class view (`c` on panel 3): one row per class with its validation
/// accuracy over the epochs as a sparkline, its latest value (▼ when it has slipped from its best)
/// and its row of the latest confusion matrix (rows true, columns predicted, shaded by share of the
/// row), so the class that starts to overfit, and what it is mistaken for, shows as it happens.
/// Wider terminals add precision and F1 columns and print the counts in the cells.
struct PerClassPanel {
  var state: DashboardState

  /// Columns of a row, decided once per frame from the width and the classes.
  struct Columns: Equatable {
    var name: Int
    var spark: Int
    var scores: Bool
    var cell: Int

    /// Widest cells first, then precision/F1, shrinking until a sparkline of `minimumSpark` fits.
    init(width: Int, classes: Int, longestName: Int) {
      let minimumSpark = 8
      name = min(max(1, longestName), width >= 100 ? 12 : 6)
      for cell in [5, 4, 3, 2, 1] {
        for scores in [true, false] where !scores || width >= 90 {
          let fixed = name + 1 + 5 + (scores ? 12 : 0) + 1 + classes * cell
          if width - fixed >= minimumSpark {
            self.cell = cell
            self.scores = scores
            spark = min(width - fixed - 1, 60)
            return
          }
        }
      }
      // No room for the matrix: name, sparkline and value only.
      cell = 0
      scores = false
      spark = max(0, width - name - 1 - 5)
    }

    var valueX: Int { name + 1 + spark + 1 }
    var matrixX: Int { valueX + 5 + (scores ? 12 : 0) + 1 }
  }

  /// Rows the view needs inside its frame: a header, one per class and a footer.
  static func rows(_ state: DashboardState) -> Int {
    (state.run?.classes?.classes ?? state.run?.start?.classLabels?.count ?? 3) + 2
  }

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let focused = state.focus == .accuracy
    let inner = Box(title: "Accuracy", focused: focused, key: "3", trailer: "per class · c curves")
      .draw(into: &buffer, in: rect)
    guard inner.width > 10, inner.height > 0 else { return }
    guard let history = state.run?.classes else {
      let note =
        state.run == nil
        ? "press s to start; each class's validation accuracy and the confusion matrix appear here"
        : "per-class accuracy appears after the first evaluation…"
      drawWrapped(note, into: &buffer, in: inner, style: Style(foreground: .dimText))
      return
    }
    let names = history.names
    let columns = Columns(
      width: inner.width, classes: history.classes, longestName: names.map(\.count).max() ?? 1)
    var y = inner.y
    drawHeader(history, columns, into: &buffer, x: inner.x, y: y, width: inner.width)
    y += 1
    // Header and footer take a row each; classes that do not fit are counted in the footer.
    let classRows = max(0, inner.height - 2)
    let shown = history.classes <= classRows ? history.classes : max(0, classRows)
    for index in 0..<shown {
      drawRow(history, index, columns, into: &buffer, x: inner.x, y: y)
      y += 1
    }
    if inner.height >= 2 {
      drawFooter(
        history, hidden: history.classes - shown, into: &buffer, x: inner.x, y: inner.maxY - 1,
        width: inner.width)
    }
  }

  private func drawHeader(
    _ history: ClassHistory, _ columns: Columns, into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int
  ) {
    let dim = Style(foreground: .dimText)
    let title = columns.name + 1 + columns.spark >= 21 ? "val accuracy by epoch" : "val acc"
    buffer.put(TextFit.truncate(title, to: columns.name + 1 + columns.spark), x: x, y: y, style: dim)
    buffer.put(TextFit.pad("now", to: 4, alignRight: true), x: x + columns.valueX, y: y, style: dim)
    if columns.scores {
      buffer.put("  prec    F1", x: x + columns.valueX + 5, y: y, style: dim)
    }
    guard columns.cell > 0 else { return }
    // Predicted classes across the top, each label cut to its cell.
    for (column, name) in history.names.enumerated() {
      let label = Self.shortName(name, to: columns.cell >= 4 ? columns.cell - 1 : columns.cell)
      let text = columns.cell >= 4 ? TextFit.pad(label, to: columns.cell, alignRight: true) : label
      buffer.put(text, x: x + columns.matrixX + column * columns.cell, y: y, style: dim)
    }
  }

  private func drawRow(
    _ history: ClassHistory, _ index: Int, _ columns: Columns, into buffer: inout ScreenBuffer, x: Int, y: Int
  ) {
    let slipping = history.isSlipping(index)
    let latest = history.latest
    buffer.put(
      TextFit.pad(Self.shortName(history.names[index], to: columns.name), to: columns.name), x: x, y: y,
      style: Style(foreground: slipping ? .warning : .text, bold: true))
    if columns.spark > 0 {
      Sparkline(
        values: history.series(index, limit: columns.spark * 2), minimum: 0, maximum: 1,
        style: Style(foreground: .validation)
      ).draw(into: &buffer, x: x + columns.name + 1, y: y, width: columns.spark)
    }
    let value = latest.support[index] > 0 ? percent(latest.recall[index]) : "--"
    buffer.put(
      TextFit.pad(value, to: 4, alignRight: true), x: x + columns.valueX, y: y, style: Style(bold: true))
    if slipping {
      buffer.put("▼", x: x + columns.valueX + 4, y: y, style: Style(foreground: .warning, bold: true))
    }
    if columns.scores {
      let scores =
        TextFit.pad(percent(latest.precision[index]), to: 6, alignRight: true)
        + TextFit.pad(NumberFormat.fixed(latest.f1[index], decimals: 2), to: 6, alignRight: true)
      buffer.put(scores, x: x + columns.valueX + 5, y: y, style: Style(foreground: .dimText))
    }
    if columns.cell > 0 {
      ConfusionCells(counts: latest.confusion.rows[index], diagonal: index, cellWidth: columns.cell)
        .draw(into: &buffer, x: x + columns.matrixX, y: y)
    }
  }

  private func drawFooter(
    _ history: ClassHistory, hidden: Int, into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int
  ) {
    var parts = [
      "ep \(EpochPosition.text(history.latestPosition))",
      "macro-F1 \(NumberFormat.fixed(history.latest.macroF1, decimals: 3))",
    ]
    let slipping = (0..<history.classes).filter(history.isSlipping).map { history.names[$0] }
    if !slipping.isEmpty { parts.append("▼ " + slipping.joined(separator: ",")) }
    if hidden > 0 { parts.append("+\(hidden) classes: enlarge") }
    parts.append("rows true, cols predicted")
    buffer.put(
      TextFit.truncate(parts.joined(separator: " · "), to: width), x: x, y: y,
      style: Style(foreground: slipping.isEmpty ? .dimText : .warning))
  }

  /// A name cut in the middle (`let…_a`): class names often share a prefix and differ at the end.
  static func shortName(_ name: String, to width: Int) -> String {
    guard name.count > width, width >= 3 else { return TextFit.truncate(name, to: width) }
    let kept = width - 1
    return String(name.prefix((kept + 1) / 2)) + "…" + String(name.suffix(kept / 2))
  }

  /// `87%`: whole percent, so the value column stays four wide.
  private func percent(_ fraction: Double) -> String {
    fraction.isFinite ? "\(Int((fraction * 100).rounded()))%" : "--"
  }

  private func drawWrapped(_ text: String, into buffer: inout ScreenBuffer, in rect: Rect, style: Style) {
    var line = ""
    var y = rect.y
    for word in text.split(separator: " ") {
      if !line.isEmpty, line.count + 1 + word.count > rect.width {
        guard y < rect.maxY else { return }
        buffer.put(line, x: rect.x, y: y, style: style)
        y += 1
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    if y < rect.maxY, !line.isEmpty {
      buffer.put(TextFit.truncate(line, to: rect.width), x: rect.x, y: y, style: style)
    }
  }
}
