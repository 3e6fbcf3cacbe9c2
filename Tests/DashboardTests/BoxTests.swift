import Testing

@testable import Dashboard

@Test func unfocusedAndFocusedFrames() {
  var buffer = ScreenBuffer(width: 30, height: 8)
  let inner = Box(title: "Loss", key: "2", trailer: "val 0.213").draw(
    into: &buffer, in: Rect(x: 0, y: 0, width: 30, height: 4))
  Box(title: "Hyperparameters", focused: true, key: "1").draw(
    into: &buffer, in: Rect(x: 0, y: 4, width: 30, height: 4))
  #expect(inner == Rect(x: 1, y: 1, width: 28, height: 2))
  expectGolden(buffer, "box-frames")
  #expect(buffer[0, 4].style.foreground == .highlight)
  #expect(buffer[0, 4].style.bold)
  #expect(buffer[0, 0].style.foreground == .border)
}

@Test func longTitlesAreTruncatedAndTheTrailerGivesWay() {
  var buffer = ScreenBuffer(width: 14, height: 3)
  Box(title: "Hyperparameters", key: "1", trailer: "long trailer").draw(into: &buffer, in: buffer.bounds)
  #expect(buffer.line(0) == "┌1 Hyperpa… ─┐")
}

@Test func tinyBoxesDoNotCrash() {
  var buffer = ScreenBuffer(width: 3, height: 3)
  for (w, h) in [(0, 0), (1, 1), (2, 2), (3, 3)] {
    Box(title: "T", focused: true, key: "1", trailer: "x").draw(
      into: &buffer, in: Rect(x: 0, y: 0, width: w, height: h))
  }
  #expect(buffer.line(0) == "┏━┓")
}
