import Testing

@testable import Dashboard

private let hints = [
  StatusBar.KeyHint("s", "stop"), .init("p", "pause"), .init("?", "help"), .init("q", "quit"),
]

private let running = StatusBar(
  state: .running, epoch: 12, totalEpochs: 30, step: 240, samplesPerSecond: 1234, etaSeconds: 65,
  bestValidationLoss: 0.213, bestValidationAccuracy: 0.912, keyHints: hints)

private func draw(_ bar: StatusBar, width: Int) -> String {
  var buffer = ScreenBuffer(width: width, height: 1)
  bar.draw(into: &buffer, x: 0, y: 0, width: width)
  return buffer.line(0)
}

@Test func everythingFitsOnAWideTerminal() {
  #expect(
    draw(running, width: 120)
      == " RUNNING   ep 12/30  step 240  1.2k/s  ETA 1m05s  best 0.21 · 91.2%                     s stop  p pause  ? help  q quit "
  )
}

@Test func eightyColumnsKeepsTheEssentials() {
  let line = draw(running, width: 80)
  #expect(line == " RUNNING   ep 12/30  step 240  ETA 1m05s  best 0.21 · 91.2%     s stop  p pause ")
}

@Test func narrowBarsDropDetailsBeforeTheState() {
  #expect(draw(running, width: 40) == " RUNNING   ep 12/30  best 0.21 · 91.2%  ")
  #expect(draw(running, width: 9) == " RUNNING ")
  #expect(draw(running, width: 5) == " RUN…")
  for width in 0..<12 { _ = draw(running, width: width) }
}

@Test func stateWordsAndColours() {
  #expect(draw(StatusBar(state: .idle, keyHints: [.init("s", "start")]), width: 20) == " IDLE       s start ")
  #expect(StatusBar.RunState.earlyStopped.word == "EARLY-STOPPED")
  #expect(StatusBar.RunState.diverged.role == .error)
  #expect(StatusBar.RunState.running.role == .good)
  var buffer = ScreenBuffer(width: 30, height: 1)
  StatusBar(state: .paused, epoch: 2).draw(into: &buffer, x: 0, y: 0, width: 30)
  #expect(buffer[1, 0].style.foreground == .warning)
  #expect(buffer[1, 0].style.bold)
  #expect(buffer.line(0).contains("ETA --"))
}
