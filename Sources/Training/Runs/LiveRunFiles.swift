import Foundation

/// The format-2 files a trainer keeps while it runs, beside metrics and events: `control.jsonl`
/// (commands in), `steps.csv` (step-level records) and `groups.json` (layer groups). One object so
/// the training loop calls it from a few places only.
final class LiveRunFiles {
  let control: RunControl
  let steps: StepLog
  private let directory: RunDirectory
  private let names: [String]
  private let store: ParameterStore

  init(directory: RunDirectory, names: [String], store: ParameterStore, step: Int) throws {
    self.directory = directory
    self.names = names
    self.store = store
    steps = try StepLog(run: directory.url, groups: names)
    try GroupsFile(step: step, names: names, store: store).write(run: directory.url)
    control = try RunControl(directory: directory, groups: names, step: step)
  }

  /// Rewrites `groups.json` after a group was frozen or unfrozen at `step`.
  func groupsChanged(step: Int) throws {
    try GroupsFile(step: step, names: names, store: store).write(run: directory.url)
  }

  /// Records a finished training step in `steps.csv` when a row is due.
  func recordStep(_ metrics: StepMetrics, correct: Int, count: Int) throws {
    try steps.record(metrics, correct: correct, count: count, isTrainable: { store.isTrainable(group: $0) })
  }

  /// The run ended at `step`: its last step gets its row, and commands that arrived after the last
  /// step boundary are refused.
  func finish(step: Int, status: RunStatus) throws {
    try steps.flush(isTrainable: { store.isTrainable(group: $0) })
    try control.refuseRemaining(step: step, status: status)
  }
}
