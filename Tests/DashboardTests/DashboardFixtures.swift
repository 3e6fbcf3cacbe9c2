@testable import Training

@testable import Dashboard

/// The built-in model's shape, so tests need no data files.
let fixtureModel = ModelInfo(
  groups: ["hidden1", "hidden2", "head"], parameterCounts: ["hidden1": 8320, "hidden2": 8256, "head": 650],
  trainSamples: 100, validationSamples: 43)

func idleState(width: Int = 80, height: Int = 24) -> DashboardState {
  DashboardState(settings: HyperParameters(), width: width, height: height, model: fixtureModel)
}

/// Feeds keys through the key map and the reducer, collecting every effect.
func press(_ keys: [Key], _ state: inout DashboardState) -> [DashboardEffect] {
  var effects: [DashboardEffect] = []
  for key in keys {
    guard let action = KeyMap.action(for: key, in: state) else { continue }
    effects += reduce(&state, action)
  }
  return effects
}

func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

/// `state` rendered at its own size.
func screen(_ state: DashboardState) -> ScreenBuffer {
  var buffer = ScreenBuffer(width: state.width, height: state.height)
  render(state, into: &buffer)
  return buffer
}

/// A scripted run that overfits: validation loss falls until epoch 6, then rises while train loss falls.
func scriptedEvents(epochs: Int = 12, totalEpochs: Int = 40, hotEditAt: Int? = 30) -> [TrainingEvent] {
  var settings = HyperParameters()
  settings.epochs = totalEpochs
  settings.earlyStoppingPatience = 3
  let stepsPerEpoch = 7
  var events: [TrainingEvent] = [
    .started(
      RunStart(
        directory: "runs/20260101-000000-test", hyperParameters: settings, stepsPerEpoch: stepsPerEpoch,
        totalSteps: stepsPerEpoch * totalEpochs, groups: fixtureModel.groups,
        parameterCounts: fixtureModel.parameterCounts, frozen: ["hidden1"], trainSamples: 100,
        validationSamples: 43)),
    .statusChanged(.running),
  ]
  let schedule = LearningRateSchedule(settings, stepsPerEpoch: stepsPerEpoch)
  var step = 0
  for epoch in 0...epochs {
    if epoch > 0 {
      for _ in 0..<stepsPerEpoch {
        step += 1
        let progress = Double(step) / Double(stepsPerEpoch * epochs)
        let loss = 1.6 * (1 - progress) * (1 - progress) + 0.02 + (step % 3 == 0 ? 0.05 : 0)
        events.append(
          .step(
            StepMetrics(
              step: step, epoch: epoch, loss: loss, accuracy: min(1, 0.55 + 0.45 * progress),
              learningRate: schedule.learningRate(at: step - 1), gradientNorm: 1 / Double(step),
              gradientNorms: ["hidden1": 0, "hidden2": 0.5 / Double(step), "head": 0.8 / Double(step)],
              samplesPerSecond: 12_000)))
        if step == hotEditAt { events.append(.hotEdit(.learningRate(3e-4), step: step)) }
      }
    }
    let validation = 0.9 - 0.1 * Double(min(epoch, 6)) + 0.04 * Double(max(0, epoch - 6))
    events.append(
      .epoch(
        EpochMetrics(
          epoch: epoch, step: step, trainLoss: 1.5 / Double(epoch + 1),
          trainAccuracy: min(1, 0.6 + 0.04 * Double(epoch)),
          validationLoss: validation,
          validationAccuracy: 0.6 + 0.05 * Double(min(epoch, 6)) - 0.005 * Double(max(0, epoch - 6)),
          learningRate: schedule.learningRate(at: max(0, step - 1)), seconds: Double(epoch) * 0.5,
          isBest: epoch <= 6)))
  }
  return events
}

func midRunState(width: Int, height: Int) -> DashboardState {
  var state = idleState(width: width, height: height)
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(scriptedEvents()))
  return state
}
