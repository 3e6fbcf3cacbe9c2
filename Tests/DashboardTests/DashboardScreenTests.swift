import Testing
import Training

@testable import Dashboard

@Test func idleDashboard80x24() {
  let buffer = screen(idleState())
  expectGolden(buffer, "dashboard-idle-80x24")
  for title in ["Hyperparameters", "Loss", "Accuracy", "Learning rate", "Layers"] {
    #expect(buffer.text.contains(title))
  }
  #expect(buffer.text.contains("press s to start"))
  #expect(buffer.line(23).contains("IDLE"))
}

@Test func idleDashboard160x48() {
  expectGolden(screen(idleState(width: 160, height: 48)), "dashboard-idle-160x48")
}

@Test func midRunDashboard80x24() {
  let buffer = screen(midRunState(width: 80, height: 24))
  expectGolden(buffer, "dashboard-run-80x24")
  #expect(buffer.text.contains("overfit"))
  #expect(buffer.line(23).contains("RUNNING"))
}

@Test func midRunDashboard160x48() {
  var state = midRunState(width: 160, height: 48)
  state.smoothing = true
  state.logScale = true
  let buffer = screen(state)
  expectGolden(buffer, "dashboard-run-160x48")
  // A larger terminal gets braille charts in the Loss and Accuracy panels too.
  let layout = DashboardLayout(state)
  let lossRows = (layout.loss.y..<layout.loss.maxY).map { buffer.line($0) }.joined()
  #expect(
    lossRows.contains { $0.unicodeScalars.first!.value >= 0x2801 && $0.unicodeScalars.first!.value <= 0x28FF }
  )
}

@Test func tooSmallScreenAndRecovery() {
  var state = idleState(width: 60, height: 20)
  let small = screen(state)
  expectGolden(small, "dashboard-too-small")
  #expect(small.text.contains("terminal too small (need 80×24, have 60×20)"))
  state.width = 80
  state.height = 24
  #expect(screen(state).text.contains("Hyperparameters"))
}

@Test func everySizeRendersWithoutCrashing() {
  var state = midRunState(width: 80, height: 24)
  _ = reduce(&state, .toggleHelp)
  for (width, height) in [(1, 1), (79, 24), (80, 23), (80, 24), (81, 25), (100, 30), (133, 41), (250, 80)] {
    state.width = width
    state.height = height
    var buffer = ScreenBuffer(width: width, height: height)
    render(state, into: &buffer)
    #expect(buffer.width == width)
  }
}

@Test func helpOverlayListsTheKeyMap() {
  var state = idleState()
  _ = reduce(&state, .toggleHelp)
  let buffer = screen(state)
  expectGolden(buffer, "dashboard-help-80x24")
  for line in HelpOverlay.lines() where !line.heading {
    #expect(buffer.text.contains(line.text), "help misses \(line.text)")
  }
}

@Test func quitConfirmationShowsTheAnswers() {
  var state = midRunState(width: 80, height: 24)
  _ = reduce(&state, .quit)
  let text = screen(state).text
  #expect(text.contains("y quit, stopping the run"))
  #expect(text.contains("n keep going"))
}

@Test func formPanelMarksChangesScrollsAndShowsErrors() {
  var state = idleState()
  state.settings.unfreezeEvery = 2
  state.formIndex = ConfigKey.all.firstIndex(of: .layerLRDecay)!
  _ = reduce(&state, .moveDown)  // clamps at the last row and scrolls
  var buffer = ScreenBuffer(width: 40, height: 12)
  state.height = 24
  HyperparametersPanel(state: state).draw(into: &buffer, in: Rect(x: 0, y: 0, width: 40, height: 12))
  #expect(buffer.text.contains("layer_lr_decay"))
  #expect(!buffer.text.contains("base_model"))
  #expect(buffer.text.contains("▲"))
  let changedRow = (0..<12).first { buffer.line($0).contains("unfreeze_every") }
  #expect(changedRow.map { buffer[1, $0].character } == "•")
}

@Test func layersPanelShowsUnfreezeEpochsAndMultipliers() {
  var state = idleState()
  state.settings.unfreezeEvery = 2
  state.settings.layerLRDecay = 0.5
  state.focus = .layers
  var buffer = ScreenBuffer(width: 44, height: 5)
  LayersPanel(state: state).draw(into: &buffer, in: Rect(x: 0, y: 0, width: 44, height: 5))
  expectGolden(buffer, "panel-layers-unfreeze")
  #expect(buffer.line(1).contains("unfreezes ep 5"))
  #expect(buffer.line(2).contains("unfreezes ep 3"))
  #expect(buffer.line(3).contains("×1"))
  #expect(buffer.line(1).contains("×0.25"))
}

@Test func learningRatePanelRedrawsOnEdit() {
  var state = idleState()
  var before = ScreenBuffer(width: 44, height: 9)
  LearningRatePanel(state: state).draw(into: &before, in: Rect(x: 0, y: 0, width: 44, height: 9))
  #expect(before.text.contains("280 (40 ep)"))  // 100 samples / 16 per batch = 7 steps × 40 epochs
  state.settings.schedule = .constant
  state.settings.warmupEpochs = 10
  var after = ScreenBuffer(width: 44, height: 9)
  LearningRatePanel(state: state).draw(into: &after, in: Rect(x: 0, y: 0, width: 44, height: 9))
  #expect(before != after)
  expectGolden(after, "panel-lr-constant-warmup")
}

@Test func lossPanelMarksBestAndOverfitting() {
  let state = midRunState(width: 80, height: 24)
  var buffer = ScreenBuffer(width: 60, height: 12)
  MetricPanels(state: state).loss().draw(into: &buffer, in: Rect(x: 0, y: 0, width: 60, height: 12))
  expectGolden(buffer, "panel-loss-overfit")
  #expect(buffer.text.contains("◆ best ep 6"))
  #expect(buffer.text.contains("overfit since ep 6"))
}

@Test func emaMatchesTensorBoard() {
  let smoothed = Smoothing.ema([1, 0, 1], weight: 0.6)
  #expect(abs(smoothed[0] - 1) < 1e-12)
  #expect(abs(smoothed[1] - 0.4 / 0.64 * 0.6 * 1 / 0.6 * 0.6) < 1)  // debiased, between 0 and 1
  #expect(smoothed[1] > 0 && smoothed[1] < 1)
  #expect(Smoothing.ema([2, 3], weight: 0) == [2, 3])
}
