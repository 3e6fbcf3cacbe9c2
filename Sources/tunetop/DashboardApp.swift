import Dashboard
import Foundation
import Terminal
import Training

/// The dashboard's run loop: reads keys and trainer events, feeds them to `reduce`, performs the effects
/// it returns (the only place a run is started or a file written) and redraws when something changed.
final class DashboardApp {
  private var state: DashboardState
  private let session: TerminalSession
  private let runsURL: URL
  private let themeDirectories: [String]
  private var trainer: Trainer?
  private var buffer = ScreenBuffer(width: 0, height: 0)
  private var dirty = true
  private var lastRender = ContinuousClock.now
  private let clock = ContinuousClock()

  /// Keys are polled this often, so events are drained and the screen refreshed ≥ 10×/s during a run.
  static let keyTimeoutMilliseconds = 50
  static let refreshInterval = Duration.milliseconds(100)

  init(state: DashboardState, session: TerminalSession, runsURL: URL, themeDirectories: [String]) {
    self.state = state
    self.session = session
    self.runsURL = runsURL
    self.themeDirectories = themeDirectories
  }

  /// Runs until the user quits (returns 0) or SIGTERM/SIGHUP arrives (returns 128 + signal).
  func run() -> Int32 {
    let size = session.size
    dispatch(.resize(width: size.width, height: size.height))
    if state.model == nil && state.modelError == nil { perform([.prepareModel(state.settings)]) }
    while true {
      if let signal = session.pendingSignal {
        if signal == SIGINT {
          session.clearInterrupt()
          dispatch(.interrupt)
        } else if signal == SIGHUP {
          return finishAfterHangup()
        } else {
          finishRun()
          return 128 + signal
        }
      }
      drainTrainer()
      if state.quitting {
        finishRun()
        return 0
      }
      let current = session.size
      if current.width != state.width || current.height != state.height {
        dispatch(.resize(width: current.width, height: current.height))
      }
      let now = clock.now
      if dirty || (state.isRunActive && now - lastRender >= DashboardApp.refreshInterval) { draw(now) }
      guard let key = session.readKey(timeoutMilliseconds: DashboardApp.keyTimeoutMilliseconds) else {
        if session.inputClosed { return finishAfterHangup() }
        continue
      }
      if key == .resize {
        let size = session.size
        dispatch(.resize(width: size.width, height: size.height))
      } else if let action = KeyMap.action(for: key, in: state) {
        dispatch(action)
      }
    }
  }

  private func draw(_ now: ContinuousClock.Instant) {
    if buffer.width != state.width || buffer.height != state.height {
      buffer = ScreenBuffer(width: state.width, height: state.height)
    }
    render(state, into: &buffer)
    session.flush(buffer)
    dirty = false
    lastRender = now
  }

  private func dispatch(_ action: DashboardAction) {
    let effects = reduce(&state, action)
    dirty = true
    perform(effects)
  }

  /// Events are taken in bulk once per tick, never one redraw per step, so the trainer is not slowed down.
  private func drainTrainer() {
    guard let trainer else { return }
    let events = trainer.drainEvents()
    guard !events.isEmpty else { return }
    let finished = events.contains { if case .finished = $0 { true } else { false } }
    if finished { self.trainer = nil }
    dispatch(.trainingEvents(events))
  }

  /// Interrupts an active run (saving `last` and summary.json) and waits for the trainer to finish.
  private func finishRun() {
    guard let trainer else { return }
    trainer.send(.interrupt)
    _ = trainer.waitUntilFinished()
    self.trainer = nil
  }

  /// The terminal is gone (SSH dropped, tmux pane killed): nothing more is drawn, the run finishes its
  /// epoch and saves it, then the process exits with 129. SIGTERM or SIGINT meanwhile stop it at once.
  private func finishAfterHangup() -> Int32 {
    guard let trainer else { return 128 + SIGHUP }
    trainer.send(.interruptAtEpochEnd(reason: hangupReason))
    var interrupted = false
    while trainer.summary == nil {
      if !interrupted, let signal = session.pendingSignal, signal != SIGHUP {
        interrupted = true
        trainer.send(.interrupt)
      }
      // Nobody will see them; draining keeps the queue from growing for the rest of the epoch.
      _ = trainer.drainEvents()
      Thread.sleep(forTimeInterval: 0.05)
    }
    self.trainer = nil
    return 128 + SIGHUP
  }

  private func perform(_ effects: [DashboardEffect]) {
    for effect in effects {
      switch effect {
      case .prepareModel(let settings):
        do {
          let prepared = try PreparedRun.prepare(settings)
          dispatch(.modelPrepared(ModelInfo(prepared)))
        } catch {
          dispatch(.modelFailed("\(error)"))
        }
      case .startRun(let settings):
        start(settings)
      case .send(let command):
        trainer?.send(command)
      case .writeFile(let path, let contents):
        do {
          try Data(contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
          dispatch(.showMessage("saved to \(path); load it with tunetop --config \(path)", .success))
        } catch {
          dispatch(.showMessage("cannot save \(path): \(error.localizedDescription)", .error))
        }
      case .loadTheme(let name):
        do {
          let result = try ThemeLoader.load(named: name, in: themeDirectories)
          session.setTheme(result.theme)
          dispatch(.themeLoaded(name: name, warnings: result.warnings.map(\.description)))
        } catch {
          dispatch(.showMessage(error.description, .error))
        }
      case .quit:
        break  // the loop sees `state.quitting` and ends after finishing the run
      }
    }
  }

  /// Prepares the run and starts its thread; any failure leaves the dashboard idle with the reason shown.
  private func start(_ settings: HyperParameters) {
    guard trainer == nil else { return }
    do {
      let prepared = try PreparedRun.prepare(settings)
      let info = ModelInfo(prepared)
      let directory = try RunDirectory(root: runsURL, name: prepared.hyperParameters.shortRunName())
      let trainer = Trainer(prepared, directory: directory)
      self.trainer = trainer
      dispatch(.modelPrepared(info))
      trainer.start()
    } catch {
      dispatch(.runFailedToStart("\(error)"))
    }
  }
}

extension ModelInfo {
  /// The groups, sizes and sample counts of a prepared run.
  init(_ prepared: PreparedRun) {
    let model = prepared.model
    self.init(
      groups: model.groupNames,
      parameterCounts: Dictionary(
        uniqueKeysWithValues: model.groupNames.map { ($0, model.parameterCount(group: $0)) }),
      trainSamples: prepared.train.count, validationSamples: prepared.validation.count)
  }
}
