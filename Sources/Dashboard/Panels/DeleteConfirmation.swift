/// The y/n question before the non-best checkpoints of a run are deleted; its keys come from `KeyMap`.
struct DeleteConfirmation {
  var count: Int

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    let answers = KeyMap.bindings.filter { $0.context == .confirmDelete }
      .map { "\($0.keys.first!.displayName) \($0.help)" }.joined(separator: "   ")
    let lines = [
      "Delete \(count) kept checkpoint\(count == 1 ? "" : "s") other than the best?",
      "best, last and promoted stay.", answers,
    ]
    let width = min(area.width, (lines.map(\.count).max() ?? 0) + 4)
    let height = lines.count + 2
    let box = Rect(
      x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width,
      height: height)
    buffer.fill(box)
    let inner = Box(title: "Delete?", focused: true).draw(into: &buffer, in: box)
    for (index, line) in lines.enumerated() {
      let style = index == 2 ? Style(foreground: .highlight, bold: true) : Style()
      buffer.put(
        TextFit.truncate(line, to: inner.width - 1), x: inner.x + 1, y: inner.y + index, style: style)
    }
  }
}
