/// A centred y/n question over the panels; its last line lists the answers bound in `context`.
struct ConfirmationBox {
  var title: String
  /// What is asked and what it will cost; the answers are appended from `KeyMap`.
  var question: [String]
  var context: KeyMap.Context

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    let answers = KeyMap.bindings.filter { $0.context == context }
      .map { "\($0.keys.first!.displayName) \($0.help)" }.joined(separator: "   ")
    let lines = question + [answers]
    let width = min(area.width, (lines.map(\.count).max() ?? 0) + 4)
    let height = lines.count + 2
    let box = Rect(
      x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width,
      height: height)
    buffer.fill(box)
    let inner = Box(title: title, focused: true).draw(into: &buffer, in: box)
    for (index, line) in lines.enumerated() {
      let style = index == lines.count - 1 ? Style(foreground: .highlight, bold: true) : Style()
      buffer.put(
        TextFit.truncate(line, to: inner.width - 1), x: inner.x + 1, y: inner.y + index, style: style)
    }
  }
}
