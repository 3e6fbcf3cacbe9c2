import Foundation
import Testing
import Training

@testable import Dashboard

/// The dashboard's threads together, for `swift test --sanitize=thread`: the trainer thread runs a real
/// run while this thread does what the UI loop does — drain events, `reduce`, `render` — and makes hot
/// edits through the reducer (learning rate, dropout, freezing, pause/resume) until it stops the run.
@Test func trainerUILoopAndHotEditsTogether() throws {
  var settings = HyperParameters()
  settings.trainSamples = 64
  settings.batchSize = 8
  settings.epochs = 100_000
  settings.earlyStoppingPatience = 0
  var state = DashboardState(settings: settings, width: 100, height: 30, model: fixtureModel)
  var buffer = ScreenBuffer(width: 100, height: 30)
  let trainer = Trainer(try PreparedRun.prepare(settings), directory: nil)
  var sent: [TrainerCommand] = []
  func dispatch(_ action: DashboardAction) {
    for effect in reduce(&state, action) {
      if case .send(let command) = effect {
        sent.append(command)
        trainer.send(command)
      }
    }
  }
  dispatch(.startStop)
  trainer.start()
  let learningRate = ConfigKey.all.firstIndex { $0.name == "learning_rate" }!
  let dropout = ConfigKey.all.firstIndex { $0.name == "dropout" }!
  var lastStep = 0
  var round = 0
  while state.run?.phase != .ended {
    let events = trainer.drainEvents()
    for case .step(let metrics) in events {
      #expect(metrics.step == lastStep + 1, "steps arrive once each and in order")
      lastStep = metrics.step
    }
    dispatch(.trainingEvents(events))
    render(state, into: &buffer)
    guard state.run?.phase == .active else {
      Thread.sleep(forTimeInterval: 0.001)
      continue
    }
    round += 1
    switch round % 6 {
    case 0:
      dispatch(.focusPanel(.hyperparameters))
      state.formIndex = learningRate
      dispatch(.stepValue(round % 12 == 0 ? 1 : -1))
    case 1:
      state.formIndex = dropout
      dispatch(.stepValue(round % 12 == 1 ? 1 : -1))
    case 2:
      dispatch(.focusPanel(.layers))
      state.layerIndex = round % 2
      dispatch(.toggleFreeze)
    case 3, 4:
      dispatch(.pauseResume)
    default:
      Thread.sleep(forTimeInterval: 0.001)
    }
    if round == 240 { dispatch(.startStop) }
  }
  let summary = trainer.waitUntilFinished()
  #expect(summary.status == .stopped)
  #expect(state.run?.status == .stopped)
  #expect(lastStep == summary.steps)
  // Every kind of edit was sent, and the trainer confirmed the ones that change a running run.
  #expect(sent.contains { if case .setLearningRate = $0 { true } else { false } })
  #expect(sent.contains { if case .setDropout = $0 { true } else { false } })
  #expect(sent.contains(.pause) && sent.contains(.resume))
  let confirmed = state.run?.hotEdits.map(\.edit) ?? []
  #expect(confirmed.contains { if case .learningRate = $0 { true } else { false } })
  #expect(confirmed.contains { if case .freeze(_, _, false) = $0 { true } else { false } })
  #expect(buffer.line(29).contains("STOPPED"))
}
