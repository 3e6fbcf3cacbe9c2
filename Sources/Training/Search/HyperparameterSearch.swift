import Foundation
import Synchronization

/// Runs a hyperparameter search: samples trials, trains each as a normal run directory on a pool
/// of worker threads, prunes the unpromising ones, and writes a report.
///
///     let search = try HyperparameterSearch(settings)    // creates runs/<stamp>-search-<name>/
///     search.start()                                     // K worker threads
///     search.snapshot() / search.drainEvents()           // poll from the UI loop
///     search.stop()                                      // finish running trials as `stopped`
///     let report = search.waitUntilFinished()            // report.txt, best.yaml, search.json
///
/// Shared between the workers and the caller, behind one `Mutex`: the trials, the sampler's
/// history, the pruner and the live trainers. Each trial's model, data and optimizer belong to
/// its worker alone.
public final class HyperparameterSearch: Sendable {
  public let settings: SearchSettings
  /// The search directory's name; every trial's `summary.json` carries it as `search`.
  public let id: String
  public let directory: URL
  private let sampler: any TrialSampler
  private let state: Mutex<SearchState>
  private let events = Mutex<[SearchEvent]>([])
  private let stopping = Atomic<Bool>(false)
  private let started = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)
  private let report = Mutex<SearchReport?>(nil)
  /// Serialises `search.json` writes; the trials are read under it so a later write is never older.
  private let recordWriter = Mutex<Void>(())

  private struct SearchState: Sendable {
    var nextTrial = 1
    var trials: [SearchTrial] = []
    var finished: [FinishedTrial] = []
    var pruner: any TrialPruner
    var trainers: [Int: Trainer] = [:]
    /// What `stop` sent to the running trainers, sent as well to any trainer registered after it.
    var stopCommand: TrainerCommand?
    var runningWorkers = 0
  }

  /// Checks the settings and creates the search directory with a `search.json` of no trials.
  public init(_ settings: SearchSettings, date: Date = Date()) throws {
    try settings.validate()
    self.settings = settings
    sampler = settings.makeSampler()
    state = Mutex(SearchState(pruner: settings.makePruner()))
    let candidate = try Self.createDirectory(settings, date: date)
    directory = candidate
    id = candidate.lastPathComponent
    try writeRecord()
  }

  /// Creates `<runs>/<stamp>-search-<name>/` under a name no other search has taken.
  public static func createDirectory(_ settings: SearchSettings, date: Date = Date()) throws -> URL {
    let label = RunDirectory.sanitized(settings.name ?? settings.sampler.rawValue)
    let base = "\(RunDirectory.timestamp(date))-search-\(label)"
    try RunDirectory.createRoot(settings.runsRoot)
    // mkdir fails on an existing name, so two searches started in the same second get distinct ones.
    return try RunDirectory.placeUnderFreeName(root: settings.runsRoot, base: base, taken: [EEXIST]) {
      mkdir($0.path, 0o755) == 0 ? 0 : errno
    }
  }

  // MARK: - Control

  /// Starts the worker threads; calling it twice has no effect.
  public func start() {
    guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let workers = min(settings.parallel, settings.trials)
    // Several trainers at once would fight over GEMM's one shared worker thread; one thread per
    // trial uses the cores better and keeps each trial's timing independent of the others.
    let previousSecondThread = gemmAllowsSecondThread.load(ordering: .relaxed)
    if workers > 1 { setGEMMAllowsSecondThread(false) }
    state.withLock { $0.runningWorkers = workers }
    for index in 0..<workers {
      let thread = Thread { [self] in
        work()
        let last = state.withLock { state in
          state.runningWorkers -= 1
          return state.runningWorkers == 0
        }
        if last {
          if workers > 1 { setGEMMAllowsSecondThread(previousSecondThread) }
          finish()
        }
      }
      thread.name = "tunetop-search-\(index + 1)"
      thread.stackSize = 8 << 20
      thread.start()
    }
  }

  /// Starts (if needed) and blocks until every worker has finished; returns the report.
  @discardableResult
  public func run() -> SearchReport {
    start()
    return waitUntilFinished()
  }

  /// Starts no more trials and ends the running ones (`interrupt`: as after a signal, else as
  /// stopped by the user); every finished trial is kept and the report still gets written.
  public func stop(interrupt: Bool = false) {
    let command: TrainerCommand = interrupt ? .interrupt : .stop
    let running = state.withLock { state in
      stopping.store(true, ordering: .releasing)
      state.stopCommand = command
      return Array(state.trainers.values)
    }
    for trainer in running { trainer.send(command) }
  }

  public func waitUntilFinished() -> SearchReport {
    if let report = report.withLock({ $0 }) { return report }
    done.wait()
    done.signal()
    return report.withLock { $0 }!
  }

  // MARK: - Observing

  public func snapshot() -> SearchSnapshot {
    let trials = state.withLock { $0.trials }
    return SearchSnapshot(
      id: id, directory: directory.path, plannedTrials: settings.trials, trials: trials,
      isFinished: report.withLock { $0 != nil }, stopRequested: stopping.load(ordering: .acquiring))
  }

  /// Takes every event since the last call, oldest first.
  public func drainEvents() -> [SearchEvent] {
    events.withLock { queue in
      defer { queue.removeAll(keepingCapacity: true) }
      return queue
    }
  }

  private func emit(_ event: SearchEvent) { events.withLock { $0.append(event) } }

  // MARK: - Workers

  private func work() {
    while let trial = claimTrial() {
      let ended = runTrial(trial)
      record(ended)
    }
  }

  /// Takes the next trial number and samples it, under the lock so that the sampler sees the
  /// history exactly as it stood when the trial began.
  private func claimTrial() -> SearchTrial? {
    guard !stopping.load(ordering: .acquiring) else { return nil }
    let trial: SearchTrial? = state.withLock { state in
      guard state.nextTrial <= settings.trials else { return nil }
      let number = state.nextTrial
      state.nextTrial += 1
      let assignment = sampler.sample(trial: number, space: settings.space, finished: state.finished)
      let trial = SearchTrial(
        number: number, assignment: assignment,
        parameters: settings.space.describe(assignment).map { SearchParameter(key: $0.key, value: $0.value) },
        status: .running)
      state.trials.append(trial)
      return trial
    }
    if let trial { emit(.trialStarted(trial)) }
    return trial
  }

  private func runTrial(_ trial: SearchTrial) -> SearchTrial {
    var trial = trial
    let number = trial.number
    do {
      let hyperParameters = try settings.space.hyperParameters(trial.assignment, base: settings.base)
      let prepared = try PreparedRun.prepare(hyperParameters)
      let resolved = prepared.hyperParameters
      let runDirectory = try RunDirectory(
        root: directory, name: String(format: "t%02d-", number) + resolved.shortRunName(),
        hyperParameters: resolved)
      trial.directory = runDirectory.url.path
      let path = runDirectory.url.path
      state.withLock { state in
        if let index = state.trials.firstIndex(where: { $0.number == number }) {
          state.trials[index].directory = path
        }
      }
      let hooks = TrialHooks(
        search: id, trial: number, reviewEpoch: { [self] metrics in review(trial: number, metrics) })
      let trainer = Trainer(prepared, directory: runDirectory, hooks: hooks)
      // Registering and checking `stopping` under one lock means a concurrent `stop` either sees
      // this trainer or is seen here; the trial cannot miss it.
      let stopNow = state.withLock { state in
        state.trainers[number] = trainer
        return state.stopCommand
      }
      if let stopNow { trainer.send(stopNow) }
      let summary = trainer.runOnThisThread()
      _ = trainer.drainEvents()
      trial.summary = summary
      trial.status = summary.status
      trial.reason = summary.reason
    } catch {
      trial.status = .failed
      trial.reason = String(describing: error)
    }
    return trial
  }

  /// Called on a trial's training thread after each epoch: records the curve and asks the pruner.
  private func review(trial number: Int, _ metrics: EpochMetrics) -> String? {
    let verdict: String? = state.withLock { state in
      if let index = state.trials.firstIndex(where: { $0.number == number }) {
        state.trials[index].validationLosses.append(metrics.validationLoss)
        state.trials[index].validationAccuracies.append(metrics.validationAccuracy)
      }
      return state.pruner.report(trial: number, epoch: metrics.epoch, validationLoss: metrics.validationLoss)
    }
    emit(.trialEpoch(trial: number, metrics: metrics))
    return verdict
  }

  private func record(_ trial: SearchTrial) {
    state.withLock { state in
      state.trainers[trial.number] = nil
      if let index = state.trials.firstIndex(where: { $0.number == trial.number }) {
        var updated = trial
        updated.validationLosses = state.trials[index].validationLosses
        updated.validationAccuracies = state.trials[index].validationAccuracies
        state.trials[index] = updated
      }
      if trial.isComplete { state.pruner.trialCompleted(trial.number) }
      switch trial.status {
      case .completed, .earlyStopped, .pruned, .diverged, .failed:
        // A trial that could not learn ranks last, so TPE steers away from what it tried.
        state.finished.append(
          FinishedTrial(assignment: trial.assignment, objective: trial.objective ?? .infinity))
      default:
        break  // stopped or interrupted by the user: says nothing about the hyperparameters
      }
    }
    try? writeRecord()
    emit(.trialFinished(snapshot().trials.first { $0.number == trial.number } ?? trial))
  }

  private func finish() {
    let snapshot = snapshot()
    let made = SearchReport(settings: settings, id: id, directory: directory, trials: snapshot.trials)
    try? writeRecord()
    try? made.write()
    report.withLock { $0 = made }
    emit(.finished)
    done.signal()
  }

  // MARK: - search.json

  /// Rewrites `search.json`: the settings and every trial so far, atomically, so a killed search
  /// still says which run directories are its trials.
  private func writeRecord() throws {
    try recordWriter.withLock { _ in try writeRecordLocked() }
  }

  private func writeRecordLocked() throws {
    try SearchRecordFile.write(
      id: id, settings: settings, trials: state.withLock { $0.trials }, directory: directory)
  }
}
