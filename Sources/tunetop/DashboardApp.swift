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
  /// The run of another process being watched, when there is one.
  var watcher: Watcher?
  /// The search directory of another process the Search screen follows, when there is one.
  var searchFollow: SearchFollow?
  var hasTrainer: Bool { trainer != nil }
  private var buffer = ScreenBuffer(width: 0, height: 0)
  private var dirty = true
  private var lastRender = ContinuousClock.now
  /// When the runs screens last re-read the runs directory.
  private var lastRunsRefresh = ContinuousClock.now
  /// Reads the runs directory on another thread; refreshes re-read only the runs that changed.
  private let runsReader: BackgroundRunsReader
  /// Whether the runs have been listed once in this process: the first listing is read here, quickly.
  private var runsListed = false
  let clock = ContinuousClock()
  /// The LR range test and the hyperparameter search, each on its own threads.
  private let machineSearch: MachineSearchDriver

  /// Keys are polled this often, so events are drained and the screen refreshed ≥ 10×/s during a run.
  static let keyTimeoutMilliseconds = 50
  static let refreshInterval = Duration.milliseconds(100)

  init(state: DashboardState, session: TerminalSession, runsURL: URL, themeDirectories: [String]) {
    self.state = state
    self.session = session
    self.runsURL = runsURL
    self.themeDirectories = themeDirectories
    machineSearch = MachineSearchDriver(runsURL: runsURL)
    runsReader = BackgroundRunsReader(runs: runsURL)
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
      followWatchedRun()
      followSearchDirectory()
      for action in machineSearch.poll() { dispatch(action) }
      if let records = runsReader.take() { dispatch(.runsLoaded(records)) }
      refreshRunsScreenIfDue()
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

  func dispatch(_ action: DashboardAction, redraw: Bool = true) {
    let effects = reduce(&state, action)
    if redraw { dirty = true }
    perform(effects)
  }

  /// Events are taken in bulk once per tick, never one redraw per step, so the trainer is not slowed down.
  private func drainTrainer() {
    guard let trainer else { return }
    let events = trainer.drainEvents()
    guard !events.isEmpty else { return }
    let finished = events.contains { if case .finished = $0 { true } else { false } }
    if finished { self.trainer = nil }
    // Progress is drawn by the periodic refresh (10×/s), not on every 50 ms tick that brought
    // events: half the frames, and half the output for tmux to parse on the trainer's machine.
    dispatch(.trainingEvents(events), redraw: finished)
  }

  /// Interrupts an active run (saving `last` and summary.json) and waits for the trainer to finish.
  private func finishRun() {
    machineSearch.finish()
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
      case .startRun(let settings, let name, let parent):
        start(settings, name: name, parent: parent)
      case .loadRuns, .loadCurves, .loadCheckpoints, .promoteCheckpoint, .deleteCheckpoints, .planFork,
        .resumeRun, .exportRuns:
        performRunsEffect(effect)
      case .startLRFinder, .cancelLRFinder, .startSearch, .stopSearch:
        if case .startSearch = effect { searchFollow = nil }
        for action in machineSearch.perform(effect) { dispatch(action) }
      case .followSearch(let path):
        beginFollowingSearch(URL(fileURLWithPath: path))
      case .send(let command):
        if let trainer { trainer.send(command) } else { sendToWatchedRun(command) }
      case .watchRun(let path):
        beginWatching(URL(fileURLWithPath: path))
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
  private func start(_ settings: HyperParameters, name: String?, parent: RunParent?) {
    guard trainer == nil else { return }
    do {
      let prepared = try PreparedRun.prepare(settings)
      let info = ModelInfo(prepared)
      let directory = try RunDirectory(
        root: runsURL, name: name ?? prepared.hyperParameters.shortRunName(), parent: parent)
      let trainer = Trainer(prepared, directory: directory)
      self.trainer = trainer
      dispatch(.modelPrepared(info))
      trainer.start()
    } catch {
      dispatch(.runFailedToStart("\(error)"))
    }
  }
}

// MARK: - Runs screens (issue 6): listing, compare, checkpoints, resume, fork, export

extension DashboardApp {
  /// How often the runs screens re-read the disk: often while this process trains (its row and
  /// curves are live), rarely otherwise, since other processes' runs change slowly.
  static let runsRefreshWhileTraining = Duration.seconds(1)
  static let runsRefreshIdle = Duration.seconds(3)

  /// Re-reads the runs (or the compared curves) while a runs screen is showing.
  fileprivate func refreshRunsScreenIfDue() {
    guard state.screen == .runs || state.screen == .compare else { return }
    let interval = trainer == nil ? DashboardApp.runsRefreshIdle : DashboardApp.runsRefreshWhileTraining
    guard clock.now - lastRunsRefresh >= interval else { return }
    performRunsEffect(state.screen == .runs ? .loadRuns : .loadCurves(state.runs.marked))
  }

  fileprivate func performRunsEffect(_ effect: DashboardEffect) {
    switch effect {
    case .loadRuns:
      if !runsListed {
        // The first listing shows at once without the configs, which cost most of the reading;
        // the differing settings fill in a moment later, read on the reader's thread.
        runsListed = true
        dispatch(.runsLoaded(RunCatalog.list(runs: runsURL, readingSettings: false)))
      }
      runsReader.request()
      lastRunsRefresh = clock.now
    case .loadCurves(let paths):
      lastRunsRefresh = clock.now
      dispatch(.curvesLoaded(paths.map(DashboardApp.curve)))
    case .loadCheckpoints(let path):
      dispatch(.checkpointsLoaded(run: path, CheckpointLedger.entries(run: URL(fileURLWithPath: path))))
    case .promoteCheckpoint(let run, let entry):
      do {
        let target = try CheckpointLedger.promote(entry, run: URL(fileURLWithPath: run))
        dispatch(.showMessage("promoted \(entry.label) → \(target.path)", .success))
      } catch {
        dispatch(.showMessage("cannot promote: \(error)", .error))
      }
      performRunsEffect(.loadCheckpoints(run))
    case .deleteCheckpoints(let run):
      do {
        let count = try CheckpointLedger.deleteNonBest(run: URL(fileURLWithPath: run))
        dispatch(
          .showMessage("deleted \(count) checkpoint\(count == 1 ? "" : "s"); the best is kept", .success))
      } catch {
        dispatch(.showMessage("cannot delete: \(error)", .error))
      }
      performRunsEffect(.loadCheckpoints(run))
    case .planFork(let path):
      do {
        let plan = try RunFork.plan(run: URL(fileURLWithPath: path))
        dispatch(.forkPlanned(plan.settings, parent: plan.parent))
      } catch {
        dispatch(.showMessage("cannot fork: \(error)", .error))
      }
    case .resumeRun(let path):
      resume(path)
    case .exportRuns(let paths, let path):
      do {
        let table = try MetricsExport.export(
          paths.map { RunCatalog.record(at: URL(fileURLWithPath: $0)) }, format: .csv)
        let url = URL(fileURLWithPath: path)
        try AtomicFile.write(Data(table.utf8), to: url)
        dispatch(
          .showMessage("exported \(paths.count) run\(paths.count == 1 ? "" : "s") to \(url.path)", .success))
      } catch {
        dispatch(.showMessage("cannot export: \(error)", .error))
      }
    default:
      break
    }
  }

  private static func curve(_ path: String) -> RunCurve {
    let url = URL(fileURLWithPath: path)
    let record = RunCatalog.record(at: url)
    return RunCurve(
      name: record.name, path: path, settings: record.settings, parent: record.summary?.parent,
      epochs: (try? MetricsFile.read(run: url)) ?? [])
  }

  /// Reopens a stopped run from `last` and continues it on the training thread, with its earlier
  /// epochs on the charts so the curves carry on where they stopped.
  private func resume(_ path: String) {
    guard trainer == nil else { return }
    do {
      let resumable = try ResumableRun.open(URL(fileURLWithPath: path))
      let settings = resumable.state.liveSettings
      let info = ModelInfo(resumable.prepared)
      var epochs = (try? MetricsFile.read(run: resumable.directory.url)) ?? []
      // Per-class rows go with their epochs, so the per-class view carries on from them too.
      if let classes = try? ClassMetricsFile.read(runDirectory: resumable.directory.url) {
        let byPosition = Dictionary(
          classes.epochs.map { ($0.position, $0.metrics) }, uniquingKeysWith: { $1 })
        for index in epochs.indices { epochs[index].classes = byPosition[epochs[index].position] }
      }
      let trainer = Trainer(resuming: resumable)
      self.trainer = trainer
      dispatch(.modelPrepared(info))
      dispatch(.runResumed(settings, epochs: epochs))
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
