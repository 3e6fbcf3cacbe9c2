import Testing

@testable import Dashboard

@Test func textRunsShowTokensPerSecondAfterSamplesPerSecond() {
  let bar = StatusBar(
    state: .running, epoch: 1, totalEpochs: 3, step: 40, samplesPerSecond: 21.4, tokensPerSecond: 3456,
    etaSeconds: 95, bestValidationLoss: 0.8, bestValidationAccuracy: 0.75,
    keyHints: [StatusBar.KeyHint("s", "stop"), .init("q", "quit")])
  var wide = ScreenBuffer(width: 120, height: 1)
  bar.draw(into: &wide, x: 0, y: 0, width: 120)
  #expect(wide.line(0).contains("step 40  21.4/s  3.5k tok/s  ETA 1m35s"))
  // Narrower, tokens/s goes first, then samples/s.
  var narrow = ScreenBuffer(width: 72, height: 1)
  bar.draw(into: &narrow, x: 0, y: 0, width: 72)
  #expect(!narrow.line(0).contains("tok/s"))
}
