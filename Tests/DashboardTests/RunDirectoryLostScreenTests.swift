import Foundation
import Testing
import Training

@testable import Dashboard

/// A real run whose directory disappears mid-run (as on a full disk or a lost mount, which root cannot
/// simulate with permissions): the dashboard shows FAILED and the path, and stays usable.
@Test func runThatCannotSaveShowsFailedWithThePathAndStaysUsable() throws {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent(
    "tunetop-lost-\(UUID().uuidString)")
  defer { try? FileManager.default.removeItem(at: root) }
  var settings = HyperParameters()
  settings.trainSamples = 64
  settings.epochs = 100_000
  settings.earlyStoppingPatience = 0
  var state = DashboardState(settings: settings, width: 120, height: 30, model: fixtureModel)
  _ = press([.character("s")], &state)
  let directory = try RunDirectory(root: root, name: "lost")
  let path = directory.url.path
  let trainer = Trainer(try PreparedRun.prepare(settings), directory: directory)
  trainer.start()
  while (state.run?.epochs.count ?? 0) < 2 {
    _ = reduce(&state, .trainingEvents(trainer.drainEvents()))
    Thread.sleep(forTimeInterval: 0.002)
  }
  // Renamed away in one step: deleting in place races with the trainer creating files inside.
  try FileManager.default.moveItem(at: directory.url, to: root.appendingPathComponent("gone"))
  let summary = trainer.waitUntilFinished()
  _ = reduce(&state, .trainingEvents(trainer.drainEvents()))
  #expect(summary.status == .failed)

  var buffer = ScreenBuffer(width: 120, height: 30)
  render(state, into: &buffer)
  #expect(buffer.line(29).contains("FAILED"))
  #expect(!buffer.line(29).contains("DIVERGED"))
  let message = buffer.line(28)
  #expect(message.contains("run failed: cannot write \(path)"), "\(message)")
  // Still usable: the form moves and a new run can be started.
  _ = press([.character("j")], &state)
  #expect(state.formIndex == 1)
  let effects = press([.character("s")], &state)
  #expect(effects.contains { if case .startRun = $0 { true } else { false } })
}
