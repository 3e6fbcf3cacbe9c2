/// One line of the hyperparameter form: label, value, and while editing a text field with a cursor.
public struct FormRow: Sendable {
  public var label: String
  /// The value as shown, or the text being edited when `editing`.
  public var value: String
  public var focused: Bool
  public var editing: Bool
  /// Cursor position in `value` (0…count) while editing.
  public var cursor: Int
  /// While editing, the whole value is selected (the next key typed replaces it).
  public var selected: Bool
  /// Why the last input was refused, shown inline after the value.
  public var error: String?
  /// Columns reserved for the label, so the values of a form line up.
  public var labelWidth: Int
  /// Shown dimmed after the value, such as the valid range.
  public var hint: String?

  public init(
    label: String, value: String, focused: Bool = false, editing: Bool = false, cursor: Int? = nil,
    selected: Bool = false, error: String? = nil, labelWidth: Int = 16, hint: String? = nil
  ) {
    self.label = label
    self.value = value
    self.focused = focused
    self.editing = editing
    self.cursor = cursor ?? value.count
    self.selected = selected
    self.error = error
    self.labelWidth = labelWidth
    self.hint = hint
  }

  /// Draws the row at (x, y) over `width` columns.
  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int) {
    guard width > 0 else { return }
    let base = focused && !editing ? Style(foreground: .selectionText, background: .selection) : Style()
    buffer.fill(x: x, y: y, width: width, height: 1, cell: Cell(style: base))
    // A pointer keeps the focused row visible without colour.
    buffer.put(
      focused ? "›" : " ", x: x, y: y,
      style: Style(foreground: focused ? .highlight : .text, background: base.background, bold: true))
    let labelRoom = min(labelWidth, max(0, width - 2))
    buffer.put(TextFit.truncate(label, to: labelRoom), x: x + 1, y: y, style: base, maxWidth: labelRoom)
    let valueX = x + 1 + labelRoom + 1
    let end = x + width
    guard valueX < end else { return }
    var column: Int
    if editing {
      column = TextField(text: value, cursor: cursor, selected: selected, minimumWidth: 8)
        .draw(into: &buffer, x: valueX, y: y, room: end - valueX)
    } else {
      var valueStyle = base
      valueStyle.bold = focused
      column = buffer.put(TextFit.truncate(value, to: end - valueX), x: valueX, y: y, style: valueStyle)
    }
    if let error, column + 2 < end {
      buffer.put(
        TextFit.truncate("✗ " + error, to: end - column - 1), x: column + 1, y: y,
        style: Style(foreground: .error, background: base.background, bold: true))
    } else if let hint, column + 2 < end {
      buffer.put(
        TextFit.truncate(hint, to: end - column - 1), x: column + 1, y: y,
        style: Style(foreground: .dimText, background: base.background))
    }
  }
}
