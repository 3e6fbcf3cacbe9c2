import Testing

@testable import Dashboard

@Test func putClipsAtTheRightEdge() {
  var buffer = ScreenBuffer(width: 5, height: 2)
  buffer.put("abcdefg", x: 2, y: 1)
  #expect(buffer.text == "     \n  abc")
}

@Test func putReturnsTheNextColumnAndClipsOnTheLeft() {
  var buffer = ScreenBuffer(width: 5, height: 1)
  #expect(buffer.put("abc", x: -1, y: 0) == 2)
  #expect(buffer.text == "bc   ")
  #expect(buffer.put("xyz", x: 1, y: 0, maxWidth: 1) == 2)
  #expect(buffer.text == "bx   ")
}

@Test func controlCharactersCannotReachTheTerminal() {
  var buffer = ScreenBuffer(width: 4, height: 1)
  buffer.put("a\u{1B}b\t", x: 0, y: 0)
  #expect(buffer.text == "a?b?")
}

@Test func outOfRangeAccessIsHarmless() {
  var buffer = ScreenBuffer(width: 2, height: 2)
  buffer[5, 5] = Cell(character: "x")
  buffer.fill(x: -3, y: -3, width: 100, height: 1)
  buffer.fill(x: 1, y: 1, width: -4, height: 9)
  #expect(buffer[-1, 0] == Cell())
  #expect(buffer.text == "  \n  ")
}

@Test func restyleKeepsCharacters() {
  var buffer = ScreenBuffer(width: 3, height: 1)
  buffer.put("abc", x: 0, y: 0)
  buffer.restyle(Rect(x: 1, y: 0, width: 5, height: 1)) { $0.reverse = true }
  #expect(buffer.text == "abc")
  #expect(!buffer[0, 0].style.reverse)
  #expect(buffer[2, 0].style.reverse)
}

@Test func rectSplitsAndInsets() {
  let rect = Rect(x: 2, y: 1, width: 10, height: 6)
  #expect(rect.inset(by: 1) == Rect(x: 3, y: 2, width: 8, height: 4))
  #expect(rect.splitLeft(4).0 == Rect(x: 2, y: 1, width: 4, height: 6))
  #expect(rect.splitLeft(40).1.isEmpty)
  #expect(rect.splitTop(2).1 == Rect(x: 2, y: 3, width: 10, height: 4))
}

@Test func cellsKeepMultiScalarGraphemes() {
  // A cell stores up to four scalars in integers; these must come back as the same Character.
  for text in [
    "a", "é", "e\u{301}", "⣿", "⚠\u{FE0F}", "\u{1F44D}\u{1F3FD}", "a\u{301}\u{302}\u{303}", "\r\n",
  ] {
    let character = Character(text)
    #expect(Cell(character: character).character == character, "\(text.unicodeScalars.map(\.value))")
    var cell = Cell()
    cell.character = character
    #expect(cell == Cell(character: character))
  }
  #expect(Cell(character: "a") != Cell(character: "b"))
  #expect(Cell(character: "é") != Cell(character: "e"))
}

@Test func forEachChangeReportsOnlyChangedCellsInOrder() {
  var old = ScreenBuffer(width: 4, height: 2)
  old.put("abcd", x: 0, y: 0)
  var new = old
  new.put("X", x: 3, y: 0)
  new[1, 1] = Cell(character: "y", style: Style(bold: true))
  new.restyle(Rect(x: 0, y: 0, width: 1, height: 1)) { $0.reverse = true }
  var changes: [String] = []
  new.forEachChange(since: old) { x, y, cell in changes.append("\(x),\(y),\(cell.character)") }
  #expect(changes == ["0,0,a", "3,0,X", "1,1,y"])
  var all = 0
  new.forEachChange(since: nil) { _, _, _ in all += 1 }
  #expect(all == 8)
  var resized = 0
  new.forEachChange(since: ScreenBuffer(width: 3, height: 2)) { _, _, _ in resized += 1 }
  #expect(resized == 8)
}
