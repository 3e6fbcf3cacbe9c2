import Foundation
import Testing
import Training

@testable import Dashboard

/// A scripted run that trains for a while and then diverges at `step`, the way the trainer reports it:
/// `.message(reason)`, `.statusChanged(.diverged)`, `.finished(summary)`.
func divergingEvents(step badStep: Int) -> [TrainingEvent] {
  var events = scriptedEvents(epochs: 12)
  let reason =
    "loss became nan at step \(badStep) (epoch 13, learning rate 10); `last` holds the last good epoch. "
    + "Try a lower learning_rate or grad_clip."
  events += [
    .message(reason), .statusChanged(.diverged),
    .finished(
      RunSummary(
        status: .diverged, epochsRun: 12, bestEpoch: 6, bestValidationLoss: 0.3,
        bestValidationAccuracy: 0.9, samplesPerSecond: 12_000, wallSeconds: 6, steps: badStep - 1,
        reason: reason)),
  ]
  return events
}

@Test(arguments: [(80, 24), (200, 60)])
func divergedRunShowsStatusReasonAndStep(width: Int, height: Int) {
  var state = idleState(width: width, height: height)
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(divergingEvents(step: 85)))
  #expect(state.run?.status == .diverged)
  #expect(state.isRunActive == false)
  let buffer = screen(state)
  #expect(buffer.line(height - 1).contains("DIVERGED"))
  let message = buffer.line(height - 2)
  #expect(message.contains("run diverged: loss became nan at step 85"), "\(message)")
  if width >= 200 { #expect(message.contains("lower learning_rate")) }
  // The curves up to the divergence stay on screen.
  #expect(buffer.text.contains("best"))
}

@Test func divergedRunCanBeStartedAgainWithALowerRate() {
  var state = idleState()
  _ = press([.character("s")], &state)
  _ = reduce(&state, .trainingEvents(divergingEvents(step: 85)))
  let effects = press([.character("s")], &state)
  #expect(effects.contains { if case .startRun = $0 { true } else { false } })
}

/// A real run at the highest learning rate the form accepts, with plain SGD and no clipping, diverges;
/// its events go through the same reducer and renderer as in the dashboard.
@Test func realRunAtTheMaximumLearningRateShowsWhyItDiverged() throws {
  var settings = HyperParameters()
  settings.learningRate = 10
  settings.optimizer = .sgd
  settings.gradClip = 0
  settings.warmupEpochs = 0
  settings.schedule = .constant
  settings.trainSamples = 64
  settings.epochs = 20
  try settings.validate()
  var state = DashboardState(settings: settings, width: 100, height: 30, model: fixtureModel)
  _ = press([.character("s")], &state)
  let trainer = Trainer(try PreparedRun.prepare(settings), directory: nil)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .diverged)
  _ = reduce(&state, .trainingEvents(trainer.drainEvents()))
  let buffer = screen(state)
  #expect(buffer.line(29).contains("DIVERGED"))
  let message = buffer.line(28)
  #expect(message.contains("run diverged:"), "\(message)")
  // A bad step names the step; a bad evaluation (after an epoch's last step) names the epoch.
  #expect(
    message.contains("at step \(summary.steps + 1)")
      || message.contains("after epoch \(summary.epochsRun + 1)"),
    "\(message)")
}
