/// The key reference, generated from `KeyMap.bindings` so it can never disagree with what keys do.
struct HelpOverlay {
  /// One line of the help: keys and what they do, or a heading.
  struct Line: Equatable {
    var keys: String
    var text: String
    var heading: Bool
  }

  /// The screen whose keys are listed, after the ones that work everywhere.
  var screen: Screen = .main

  /// Bindings of a context that share a description are merged (`1 2 3 4 5  jump to a panel`).
  static func lines(for screen: Screen = .main) -> [Line] {
    var lines: [Line] = []
    for context in KeyMap.Context.allCases
    where context != .help && (context.screen == nil || context.screen == screen) {
      lines.append(Line(keys: "", text: context.heading, heading: true))
      var seen: [String: Int] = [:]
      for binding in KeyMap.bindings where binding.context == context {
        let keys = KeyMap.keyNames(binding)
        if let index = seen[binding.help] {
          lines[index].keys += " " + keys
        } else {
          seen[binding.help] = lines.count
          lines.append(Line(keys: keys, text: binding.help, heading: false))
        }
      }
    }
    return lines
  }

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    let lines = HelpOverlay.lines(for: screen)
    let keyWidth = min(11, lines.map(\.keys.count).max() ?? 0)
    // Two columns when one would not fit the height.
    let columns = lines.count + 2 > area.height ? 2 : 1
    let perColumn = (lines.count + columns - 1) / columns
    let columnWidth = min(44, max(30, (area.width - 4) / columns))
    let width = min(area.width, columnWidth * columns + 3)
    let height = min(area.height, perColumn + 2)
    let box = Rect(
      x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width,
      height: height)
    buffer.fill(box)
    let inner = Box(title: "Keys", focused: true, trailer: "any key closes").draw(into: &buffer, in: box)
    for (index, line) in lines.enumerated() {
      let column = index / perColumn
      let row = index % perColumn
      guard row < inner.height else { continue }
      let x = inner.x + 1 + column * columnWidth
      let y = inner.y + row
      let room = min(columnWidth - 1, inner.maxX - x)
      guard room > 0 else { continue }
      if line.heading {
        buffer.put(
          TextFit.truncate(line.text, to: room), x: x, y: y, style: Style(foreground: .title, bold: true))
      } else {
        buffer.put(
          TextFit.pad(line.keys, to: keyWidth), x: x, y: y, style: Style(foreground: .highlight, bold: true),
          maxWidth: room)
        buffer.put(TextFit.truncate(line.text, to: room - keyWidth - 1), x: x + keyWidth + 1, y: y)
      }
    }
  }
}
