import Testing

@testable import Dashboard

@Test func theMessageIsCentred() {
  var buffer = ScreenBuffer(width: 60, height: 5)
  buffer.put("stale panel text", x: 0, y: 0)
  TooSmallScreen().draw(into: &buffer)
  #expect(buffer.line(0).trimmingCharacters() == "")
  #expect(buffer.line(2) == "         terminal too small (need 80×24, have 60×5)         ")
}

@Test func veryNarrowTerminalsWrapAndTruncate() {
  var buffer = ScreenBuffer(width: 20, height: 4)
  TooSmallScreen().draw(into: &buffer)
  #expect(buffer.line(1) == " terminal too small ")
  #expect(buffer.line(2) == "need 80×24, have 20…")
  for (w, h) in [(0, 0), (1, 1), (5, 1), (1, 5)] {
    var tiny = ScreenBuffer(width: w, height: h)
    TooSmallScreen().draw(into: &tiny)
  }
}

@Test func appliesBelowTheMinimumOnly() {
  let screen = TooSmallScreen()
  #expect(screen.applies(width: 79, height: 24))
  #expect(screen.applies(width: 80, height: 23))
  #expect(!screen.applies(width: 80, height: 24))
}

extension String {
  fileprivate func trimmingCharacters() -> String { filter { $0 != " " } }
}
