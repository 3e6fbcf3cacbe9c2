/// A panel frame drawn with box-drawing characters, with a title and a heavier look when focused.
public struct Box: Sendable {
  public var title: String
  public var focused: Bool
  /// A short tag drawn before the title, such as the panel's number key.
  public var key: String?
  /// Text on the right of the top edge, such as the current value.
  public var trailer: String?

  public init(title: String, focused: Bool = false, key: String? = nil, trailer: String? = nil) {
    self.title = title
    self.focused = focused
    self.key = key
    self.trailer = trailer
  }

  /// Draws the frame on the edge of `rect` and returns the interior.
  @discardableResult
  public func draw(into buffer: inout ScreenBuffer, in rect: Rect) -> Rect {
    guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
    // Heavy lines mark focus even without colour (NO_COLOR, 8-colour terminals, colour-blind users).
    let glyphs: (h: Character, v: Character, tl: Character, tr: Character, bl: Character, br: Character) =
      focused ? ("━", "┃", "┏", "┓", "┗", "┛") : ("─", "│", "┌", "┐", "└", "┘")
    let frame = Style(foreground: focused ? .highlight : .border, bold: focused)
    let horizontal = Cell(character: glyphs.h, style: frame)
    let vertical = Cell(character: glyphs.v, style: frame)
    for column in rect.x + 1..<rect.maxX - 1 {
      buffer[column, rect.y] = horizontal
      buffer[column, rect.maxY - 1] = horizontal
    }
    for row in rect.y + 1..<rect.maxY - 1 {
      buffer[rect.x, row] = vertical
      buffer[rect.maxX - 1, row] = vertical
    }
    buffer[rect.x, rect.y] = Cell(character: glyphs.tl, style: frame)
    buffer[rect.maxX - 1, rect.y] = Cell(character: glyphs.tr, style: frame)
    buffer[rect.x, rect.maxY - 1] = Cell(character: glyphs.bl, style: frame)
    buffer[rect.maxX - 1, rect.maxY - 1] = Cell(character: glyphs.br, style: frame)

    // Top edge: "┌1 Title ─────── trailer ┐", the trailer giving way to the title when space is short.
    let room = rect.width - 2
    var column = rect.x + 1
    if let key, room >= key.count + 4 {
      column = buffer.put(key, x: column, y: rect.y, style: Style(foreground: .highlight, bold: true))
    }
    let titleRoom = rect.maxX - 1 - column - 3  // two spaces and at least one line
    if titleRoom > 0, !title.isEmpty {
      column = buffer.put(" ", x: column, y: rect.y, style: frame)
      column = buffer.put(
        TextFit.truncate(title, to: titleRoom), x: column, y: rect.y,
        style: Style(foreground: .title, bold: focused))
      column = buffer.put(" ", x: column, y: rect.y, style: frame)
    }
    if let trailer, !trailer.isEmpty {
      let text = " " + trailer + " "
      let start = rect.maxX - 2 - text.count
      if start > column { buffer.put(text, x: start, y: rect.y, style: Style(foreground: .dimText)) }
    }
    return rect.inset(by: 1)
  }
}
