import Testing

@testable import Dashboard
@testable import Training

/// A run of 7 steps an epoch evaluated every 2 steps (`eval_every_steps: 2`): validation loss falls
/// until step 18 (epoch 2.57), then rises while train loss keeps falling.
private func midEpochEvents(evaluationsAfterBest: Int) -> (events: [TrainingEvent], best: EpochMetrics) {
  var settings = HyperParameters()
  settings.epochs = 10
  settings.evalEverySteps = 2
  settings.earlyStoppingPatience = 3
  let stepsPerEpoch = 7
  var events: [TrainingEvent] = [
    .started(
      RunStart(
        directory: "runs/20260101-000000-mid", hyperParameters: settings, stepsPerEpoch: stepsPerEpoch,
        totalSteps: stepsPerEpoch * settings.epochs, groups: fixtureModel.groups,
        parameterCounts: fixtureModel.parameterCounts, frozen: [], trainSamples: 100, validationSamples: 43)),
    .statusChanged(.running),
  ]
  func evaluation(step: Int, validationLoss: Double) -> EpochMetrics {
    let epoch = (step + stepsPerEpoch - 1) / stepsPerEpoch
    let into = step - (epoch - 1) * stepsPerEpoch
    let position = EpochPosition.of(epoch: epoch, stepInEpoch: into, stepsPerEpoch: stepsPerEpoch)
    return EpochMetrics(
      epoch: step == 0 ? 0 : epoch, step: step, trainLoss: 2 / Double(step + 1), trainAccuracy: 0.5,
      validationLoss: validationLoss, validationAccuracy: 0.7, learningRate: 1e-3, seconds: Double(step),
      isBest: false, classes: ClassMetrics(confusion: ConfusionMatrix(rows: [[2, 1], [0, 3]])),
      midEpoch: step == 0 || into == stepsPerEpoch ? nil : position)
  }
  var best: EpochMetrics?
  var afterBest = 0
  for step in 0...(stepsPerEpoch * settings.epochs) {
    if step > 0 {
      events.append(
        .step(
          StepMetrics(
            step: step, epoch: (step + stepsPerEpoch - 1) / stepsPerEpoch, loss: 2 / Double(step + 1),
            accuracy: 0.5, learningRate: 1e-3, gradientNorm: 1, gradientNorms: GroupNorms(),
            samplesPerSecond: 1000)))
    }
    guard step % 2 == 0 || step % stepsPerEpoch == 0 else { continue }
    let validation = step <= 18 ? 1 - Double(step) / 40 : 0.55 + Double(step - 18) / 100
    let metrics = evaluation(step: step, validationLoss: validation)
    events.append(.epoch(metrics))
    if step == 18 { best = metrics }
    if step > 18 {
      afterBest += 1
      if afterBest == evaluationsAfterBest { break }
    }
  }
  return (events, best!)
}

@Test func midEpochEvaluationsAreChartedInOrderAndOverfittingIsCalledOnThem() throws {
  var state = idleState(width: 200, height: 50)
  _ = press([.character("s")], &state)
  let (events, best) = midEpochEvents(evaluationsAfterBest: 4)
  _ = reduce(&state, .trainingEvents(events))
  let run = try #require(state.run)
  // Every evaluation, mid-epoch ones between the epoch ends, in the order they happened.
  #expect(run.epochs.map(\.step) == [0, 2, 4, 6, 7, 8, 10, 12, 14, 16, 18, 20, 21, 22, 24])
  #expect(zip(run.epochs, run.epochs.dropFirst()).allSatisfy { $0.position < $1.position })
  #expect(best.midEpoch == 2.57 && best.epoch == 3)
  #expect(run.bestEpoch?.step == 18)
  #expect(run.evaluationIndex(2.57) == 10)
  // Patience 3 counts evaluations: three rises after step 18 call it, at the best one's position.
  #expect(run.overfittingOnset == 2.57)
  #expect(state.message?.text.contains("overfitting since epoch 2.57") == true)

  let loss = MetricPanels(state: state).loss()
  #expect(loss.validation.map(\.step) == run.epochs.map(\.step), "the chart places evaluations by step")
  #expect(loss.best?.step == 18 && loss.overfittingOnset?.step == 18)
  let text = screen(state).text
  #expect(text.contains("◆ best ep 2.57"))
  #expect(text.contains("⚠ overfit since ep 2.57"))
  // The per-class view names its latest evaluation by position too.
  #expect(run.classes?.latestPosition == 3.42)
  _ = press([.character("3"), .character("c")], &state)
  #expect(screen(state).text.contains("ep 3.42 · macro-F1"))
}

@Test func overfittingNeedsPatienceEvaluationsNotEpochs() throws {
  var state = idleState(width: 80, height: 24)
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(midEpochEvents(evaluationsAfterBest: 2).events))
  #expect(state.run?.overfittingOnset == nil, "two rises are fewer than patience 3")
  let buffer = screen(state)
  expectGolden(buffer, "dashboard-mid-epoch-80x24")
  #expect(buffer.text.contains("best ep 2.57"))
}

@Test func theEndOfARunNamesAMidEpochBestByItsPosition() {
  var summary = RunSummary(status: .earlyStopped, epochsRun: 3, bestEpoch: 3, steps: 24)
  summary.bestStep = 18
  let best = EpochMetrics(
    epoch: 3, step: 18, trainLoss: 1, trainAccuracy: 1, validationLoss: 1, validationAccuracy: 1,
    learningRate: 1, seconds: 1, isBest: true, midEpoch: 2.57)
  let last = EpochMetrics(
    epoch: 4, step: 24, trainLoss: 1, trainAccuracy: 1, validationLoss: 1, validationAccuracy: 1,
    learningRate: 1, seconds: 1, isBest: false, midEpoch: 3.42)
  let message = RunHistory.endMessage(summary, directory: nil, best: best, last: last)
  #expect(message.text == "early-stopped after epoch 3.42; best epoch 2.57")
  // A summary of another run than these evaluations is told as it is.
  #expect(RunHistory.endMessage(summary, directory: nil).text == "early-stopped after epoch 3; best epoch 3")
}

@Test func compareDrawsMidEpochEvaluationsBetweenTheEpochEnds() {
  func row(_ epoch: Int, _ step: Int, _ midEpoch: Double?) -> EpochMetrics {
    EpochMetrics(
      epoch: epoch, step: step, trainLoss: 1, trainAccuracy: 1, validationLoss: Double(step),
      validationAccuracy: 1,
      learningRate: 1, seconds: 1, isBest: false, midEpoch: midEpoch)
  }
  let curve = RunCurve(
    name: "mid", path: "/runs/mid", settings: nil,
    parent: RunParent(run: "base", epoch: 2, step: 10),
    epochs: [row(0, 0, nil), row(1, 2, 0.5), row(1, 4, nil), row(2, 6, 1.5), row(2, 8, nil)])
  #expect(curve.points(.validationLoss, axis: .epoch).map(\.x) == [2, 2.5, 3, 3.5, 4])
  #expect(curve.points(.validationLoss, axis: .step).map(\.x) == [10, 12, 14, 16, 18])
}
