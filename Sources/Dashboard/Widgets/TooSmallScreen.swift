/// What the dashboard shows instead of panels when the terminal is below its minimum size.
public struct TooSmallScreen: Sendable {
  public var minimumWidth: Int
  public var minimumHeight: Int

  public init(minimumWidth: Int = 80, minimumHeight: Int = 24) {
    self.minimumWidth = minimumWidth
    self.minimumHeight = minimumHeight
  }

  /// Whether a terminal of this size is too small for the panels.
  public func applies(width: Int, height: Int) -> Bool { width < minimumWidth || height < minimumHeight }

  /// Clears the buffer and centres the message, wrapping onto two lines on very narrow terminals.
  public func draw(into buffer: inout ScreenBuffer) {
    buffer.fill(buffer.bounds)
    let size = "need \(minimumWidth)×\(minimumHeight), have \(buffer.width)×\(buffer.height)"
    let whole = "terminal too small (\(size))"
    let lines = whole.count <= buffer.width ? [whole] : ["terminal too small", size]
    let top = max(0, (buffer.height - lines.count) / 2)
    for (index, line) in lines.enumerated() {
      let text = TextFit.truncate(line, to: buffer.width)
      let style = index == 0 ? Style(foreground: .warning, bold: true) : Style(foreground: .text)
      buffer.put(text, x: max(0, (buffer.width - text.count) / 2), y: top + index, style: style)
    }
  }
}
