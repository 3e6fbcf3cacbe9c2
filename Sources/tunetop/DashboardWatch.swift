import Dashboard
import Foundation
import Training

/// The dashboard as a viewer of another process's run: a `RunFollower` feeds the reducer the same
/// events an in-process trainer would, and run commands go to the run's `control.jsonl`.
extension DashboardApp {
  /// The follower is polled at most this often: the files of a fast run grow ~20 lines a second.
  static let followInterval = Duration.milliseconds(250)

  /// Starts following the run at `url` in place of a run of this process.
  func beginWatching(_ url: URL) {
    guard !hasTrainer else {
      dispatch(.showMessage("stop this dashboard's run before watching another", .warning))
      return
    }
    let record = RunCatalog.record(at: url)
    var settings = record.settings ?? HyperParameters()
    if record.settings == nil {
      // Another trainer's config: the form shows only the keys it takes live, with its own values.
      for pair in record.foreignSettings {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, DashboardState.hotKeys.contains(parts[0]), let key = ConfigKey.named(parts[0])
        else { continue }
        try? settings.set(key, from: parts[1])
      }
    }
    watcher = Watcher(
      follower: RunFollower(run: url),
      sender: ControlSender(run: url, sender: "tunetop watch (\(RunWriter.current.host) pid \(getpid()))"))
    dispatch(
      .watch(.begin(WatchedRun(path: url.path, name: record.name, source: record.source), settings: settings))
    )
    followWatchedRun(force: true)
  }

  /// Reads what the watched run's files gained, at most `followInterval` apart.
  func followWatchedRun(force: Bool = false) {
    guard let watcher, force || clock.now - watcher.lastPoll >= DashboardApp.followInterval else { return }
    self.watcher?.lastPoll = clock.now
    let update = watcher.follower.poll()
    if !update.events.isEmpty { dispatch(.trainingEvents(update.events)) }
    if !update.answers.isEmpty { dispatch(.watch(.answered(update.answers))) }
  }

  /// Appends `command` to the watched run's control file; the answer comes through the follower.
  func sendToWatchedRun(_ command: TrainerCommand) {
    guard let watcher else { return }
    guard let action = DashboardApp.controlAction(command) else { return }
    if let why = watcher.sender.refusal() {
      dispatch(.watch(.sendFailed(why)))
      return
    }
    do {
      let sent = try watcher.sender.send(action)
      dispatch(.watch(.sent(id: sent.id, text: DashboardApp.describe(action))))
    } catch {
      dispatch(.watch(.sendFailed("\(error)")))
    }
  }

  static func controlAction(_ command: TrainerCommand) -> ControlCommand.Action? {
    switch command {
    case .pause: .pause
    case .resume: .resume
    case .stop: .stop
    case .prune(let reason): .prune(reason: reason)
    case .setLearningRate(let value): .set(key: ConfigKey.learningRate.name, value: value)
    case .setDropout(let value): .set(key: ConfigKey.dropout.name, value: value)
    case .setWeightDecay(let value): .set(key: ConfigKey.weightDecay.name, value: value)
    case .setFrozen(let group, let frozen): frozen ? .freeze(group: group) : .unfreeze(group: group)
    // Signals end this process, never the watched run.
    case .interrupt, .interruptAtEpochEnd: nil
    }
  }

  static func describe(_ action: ControlCommand.Action) -> String {
    switch action {
    case .set(let key, let value): "set \(key)=\(String(format: "%g", value))"
    case .freeze(let group): "freeze \(group)"
    case .unfreeze(let group): "unfreeze \(group)"
    default: action.word
    }
  }
}

/// The follower and sender of the run `tunetop watch` shows.
struct Watcher {
  let follower: RunFollower
  let sender: ControlSender
  var lastPoll = ContinuousClock.now
}
