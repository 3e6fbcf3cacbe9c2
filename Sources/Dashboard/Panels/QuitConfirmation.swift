/// The y/n question shown when quitting would interrupt an active run; its keys come from `KeyMap`.
struct QuitConfirmation {
  /// A search rather than a run is what quitting would interrupt.
  var searching = false

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    let answers = KeyMap.bindings.filter { $0.context == .confirm }
      .map { "\($0.keys.first!.displayName) \($0.help)" }.joined(separator: "   ")
    let lines =
      searching
      ? ["A search is still running.", "Quitting interrupts its trial; finished trials are kept.", answers]
      : ["A run is still active.", "Quitting interrupts it; last and summary.json are saved.", answers]
    let width = min(area.width, (lines.map(\.count).max() ?? 0) + 4)
    let height = lines.count + 2
    let box = Rect(
      x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width,
      height: height)
    buffer.fill(box)
    let inner = Box(title: "Quit?", focused: true).draw(into: &buffer, in: box)
    for (index, line) in lines.enumerated() {
      let style = index == 2 ? Style(foreground: .highlight, bold: true) : Style()
      buffer.put(
        TextFit.truncate(line, to: inner.width - 1), x: inner.x + 1, y: inner.y + index, style: style)
    }
  }
}
