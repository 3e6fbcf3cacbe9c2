import Training

/// A run written by another process that the dashboard follows (`tunetop watch`, or `w` on a live
/// run in the runs view): its charts come from the run's files, and the run keys become commands
/// appended to its `control.jsonl`, each pending until the trainer answers it.
public struct WatchedRun: Equatable, Sendable {
  public var path: String
  public var name: String
  /// Who writes the run: tunetop, pytorch, transformers, lightning.
  public var source: String
  /// Commands sent and not yet answered, oldest first.
  public var pending: [PendingCommand] = []
  /// `s` was pressed once; a second `s` sends the stop.
  public var confirmingStop = false

  public init(path: String, name: String, source: String) {
    self.path = path
    self.name = name
    self.source = source
  }
}

/// A command appended to a watched run's control file, waiting for the trainer's answer.
public struct PendingCommand: Equatable, Sendable {
  public var id: Int
  /// `set learning_rate=0.0003`, `pause`: how messages name it.
  public var text: String

  public init(id: Int, text: String) {
    self.id = id
    self.text = text
  }
}

/// What the app loop reports about a watched run's control file.
public enum WatchAction: Sendable, Equatable {
  /// Watching begins: the run, and its settings as its `config.yaml` gives them.
  case begin(WatchedRun, settings: HyperParameters)
  case sent(id: Int, text: String)
  /// The command could not be appended (the file is gone, the disk is full).
  case sendFailed(String)
  /// Answers the trainer wrote to `events.jsonl`, by command id.
  case answered([Int: ControlAnswer])
}

extension Reducer {
  mutating func applyWatch(_ action: WatchAction) {
    switch action {
    case .begin(let watched, let settings):
      state.watching = watched
      state.settings = settings
      state.run = RunHistory()
      state.screen = .main
      state.editor = nil
      state.formError = nil
      state.message = StatusMessage("watching \(watched.name) (\(watched.source)); q leaves it running")
    case .sent(let id, let text):
      state.watching?.pending.append(PendingCommand(id: id, text: text))
      state.message = StatusMessage("\(text): sent as command \(id), pending until the trainer answers")
    case .sendFailed(let reason):
      state.run?.stopRequested = false
      state.message = StatusMessage("cannot send: \(reason)", .error)
    case .answered(let answers):
      guard var watched = state.watching else { return }
      for command in watched.pending {
        guard let answer = answers[command.id] else { continue }
        switch answer {
        case .applied(let step):
          state.message = StatusMessage("\(command.text): applied at step \(step)", .success)
        case .refused(let reason):
          if command.text == "stop" { state.run?.stopRequested = false }
          state.message = StatusMessage("\(command.text): refused: \(reason)", .error)
        }
      }
      watched.pending.removeAll { answers[$0.id] != nil }
      state.watching = watched
    }
  }

  /// `s` on a watched run: the first press asks, the second sends the stop. Starting a run of this
  /// process while watching another is refused; quitting the viewer leaves the run alone.
  mutating func watchStartStop() {
    guard let run = state.run, run.isActive else {
      state.message = StatusMessage("the watched run has ended; tunetop watch only follows it", .warning)
      return
    }
    guard !run.stopRequested else { return }
    guard state.watching?.confirmingStop == true else {
      state.watching?.confirmingStop = true
      state.message = StatusMessage(
        "stop \(state.watching?.name ?? "the run")? s again stops it (best and last are kept); any other key keeps it",
        .warning)
      return
    }
    state.watching?.confirmingStop = false
    state.run?.stopRequested = true
    effects.append(.send(.stop))
  }
}

extension Reducer {
  /// `w` on a live run another process writes: the app starts following it.
  mutating func watchSelected() {
    guard let run = state.runs.selected else { return }
    guard run.isLive else {
      state.message = StatusMessage(
        "\(run.name) is not running (\(run.statusText)); only a live run can be watched")
      return
    }
    guard !state.isRunActive || state.watching != nil else {
      state.message = StatusMessage("stop this dashboard's run before watching another", .warning)
      return
    }
    effects.append(.watchRun(run.path))
  }
}

extension DashboardAction {
  /// A command typed by the user, as opposed to a report from the app loop; the watched run's stop
  /// question is answered by the next such command.
  var isKeyCommand: Bool {
    switch self {
    case .resize, .trainingEvents, .modelPrepared, .modelFailed, .runFailedToStart, .themeLoaded,
      .showMessage, .runsLoaded, .curvesLoaded, .checkpointsLoaded, .forkPlanned, .runResumed, .watch,
      .lrFinder, .search:
      false
    default: true
    }
  }

  var isStartStop: Bool {
    if case .startStop = self { true } else { false }
  }
}
