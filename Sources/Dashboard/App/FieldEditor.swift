/// The text field of a hyperparameter being edited: its text and cursor.
public struct FieldEditor: Equatable, Sendable {
  public var text: String
  /// Position in `text`, 0…count.
  public var cursor: Int
  /// The whole old value is selected when editing starts, as in a spreadsheet cell: typing replaces
  /// it (Enter, 3e-3, Enter sets 3e-3), and a cursor key keeps it for editing in place.
  public var selectsAll: Bool

  public init(text: String) {
    self.text = text
    cursor = text.count
    selectsAll = !text.isEmpty
  }

  /// Drops the selected old value before a key that replaces or deletes it.
  private mutating func replaceSelection() {
    guard selectsAll else { return }
    text = ""
    cursor = 0
    selectsAll = false
  }

  mutating func insert(_ character: Character) {
    replaceSelection()
    var characters = Array(text)
    characters.insert(character, at: cursor)
    text = String(characters)
    cursor += 1
  }

  mutating func deleteBackward() {
    if selectsAll { return replaceSelection() }
    guard cursor > 0 else { return }
    var characters = Array(text)
    characters.remove(at: cursor - 1)
    text = String(characters)
    cursor -= 1
  }

  mutating func deleteForward() {
    if selectsAll { return replaceSelection() }
    var characters = Array(text)
    guard cursor < characters.count else { return }
    characters.remove(at: cursor)
    text = String(characters)
  }

  mutating func moveCursor(by offset: Int) {
    selectsAll = false
    cursor = min(max(0, cursor + offset), text.count)
  }

  mutating func moveCursorHome() {
    selectsAll = false
    cursor = 0
  }

  mutating func moveCursorEnd() {
    selectsAll = false
    cursor = text.count
  }
}
