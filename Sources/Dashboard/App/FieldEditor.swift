/// The text field of a hyperparameter being edited: its text and cursor.
public struct FieldEditor: Equatable, Sendable {
  public var text: String
  /// Position in `text`, 0…count.
  public var cursor: Int

  public init(text: String) {
    self.text = text
    cursor = text.count
  }

  mutating func insert(_ character: Character) {
    var characters = Array(text)
    characters.insert(character, at: cursor)
    text = String(characters)
    cursor += 1
  }

  mutating func deleteBackward() {
    guard cursor > 0 else { return }
    var characters = Array(text)
    characters.remove(at: cursor - 1)
    text = String(characters)
    cursor -= 1
  }

  mutating func deleteForward() {
    var characters = Array(text)
    guard cursor < characters.count else { return }
    characters.remove(at: cursor)
    text = String(characters)
  }

  mutating func moveCursor(by offset: Int) { cursor = min(max(0, cursor + offset), text.count) }
  mutating func moveCursorHome() { cursor = 0 }
  mutating func moveCursorEnd() { cursor = text.count }
}
