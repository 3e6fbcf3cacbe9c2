/// A line of text being typed: underlined, scrolled to keep the cursor in view, with the cursor cell
/// (or the whole selected text) reversed so it shows in every colour depth.
struct TextField {
  var text: String
  var cursor: Int
  var selected: Bool
  /// The field is at least this wide, so an empty one still reads as a place to type.
  var minimumWidth: Int

  /// Draws the field at (x, y) in at most `room` columns; returns the column after it.
  @discardableResult
  func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, room: Int) -> Int {
    let characters = Array(text)
    let cursor = min(max(0, self.cursor), characters.count)
    let visible = max(0, min(max(characters.count + 1, minimumWidth), room))
    let offset = max(0, cursor - visible + 1)
    for index in 0..<visible {
      let position = offset + index
      var style = Style(foreground: .text, underline: true)
      style.reverse = selected ? position < characters.count : position == cursor
      buffer[x + index, y] = Cell(
        character: position < characters.count ? characters[position] : " ", style: style)
    }
    return x + visible
  }
}
