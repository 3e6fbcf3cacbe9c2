import Testing

@testable import Dashboard

@Test func putClipsAtTheRightEdge() {
  var buffer = ScreenBuffer(width: 5, height: 2)
  buffer.put("abcdefg", x: 2, y: 1)
  #expect(buffer.text == "     \n  abc")
}
