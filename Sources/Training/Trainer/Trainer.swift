import Foundation
import Synchronization

/// Runs one training run on a background thread and connects it to the UI.
///
/// The API the dashboard (and the headless CLI) uses:
///
///     let prepared = try PreparedRun.prepare(hyperParameters)   // throws on bad input; writes nothing
///     let directory = try RunDirectory(root: runsURL, name: name) // or nil to keep nothing on disk
///     let trainer = Trainer(prepared, directory: directory)
///     trainer.start()                                    // spawns the training thread
///     for event in trainer.drainEvents() { … }           // poll from the UI loop, in order
///     trainer.send(.pause) / .resume / .stop / .interrupt
///     trainer.send(.setLearningRate(3e-4))               // hot edits: learning rate, dropout,
///     trainer.send(.setFrozen(group: "hidden1", frozen: false)) // weight decay, freezing
///     let summary = trainer.waitUntilFinished()          // blocks; or watch for `.finished`
///
///     let resumable = try ResumableRun.open(runURL)      // a stopped run: weights + training state
///     Trainer(resuming: resumable).start()               // continues bit for bit where it stopped
///
/// The two threads share exactly two things, each behind a `Mutex`: the event queue (trainer → UI)
/// and the command mailbox (UI → trainer). The trainer reads the mailbox at batch boundaries, so
/// every command takes effect before the next batch. The prepared run — model, data and optimizer,
/// none of which are `Sendable` — is handed to the thread through a `Mutex` whose value is
/// `sending`, so the compiler checks that the caller keeps no reference to it.
public final class Trainer: Sendable {
  private let handOff: Mutex<(PreparedRun, RunDirectory?)?>
  private let resumeState: TrainingState?
  private let hooks: TrialHooks
  private let events = Mutex<[TrainingEvent]>([])
  private let mailbox = Mutex<[TrainerCommand]>([])
  private let result = Mutex<RunSummary?>(nil)
  private let finalWeights = Mutex<[NamedTensor]?>(nil)
  private let done = DispatchSemaphore(value: 0)
  /// Whether `start` was called; a trainer runs once.
  private let started = Atomic<Bool>(false)

  /// `hooks` tag the run as a search trial and let the search prune it after an epoch.
  public init(
    _ prepared: sending PreparedRun, directory: sending RunDirectory?, hooks: TrialHooks = TrialHooks()
  ) {
    handOff = Mutex((prepared, directory))
    resumeState = nil
    self.hooks = hooks
  }

  /// A trainer that continues a stopped run; see `ResumableRun.open`.
  public init(resuming run: sending ResumableRun) {
    resumeState = run.state
    // A resumed search trial keeps its tags; no search is there to prune it any more.
    let tags = try? run.directory.readSummary()
    handOff = Mutex((run.prepared, run.directory))
    hooks = TrialHooks(search: tags?.search, trial: tags?.trial)
  }

  /// Starts the training thread. Calling it twice has no effect.
  public func start() {
    guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let thread = Thread { [self] in self.runOnThisThread() }
    thread.name = "tunetop-trainer"
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// Runs the training loop on the calling thread (headless use, tests) and returns the summary.
  @discardableResult
  public func runOnThisThread() -> RunSummary {
    started.store(true, ordering: .releasing)
    guard let (prepared, directory) = handOff.withLock({ $0.take() }) else {
      return waitUntilFinished()
    }
    let summary: RunSummary
    do {
      let session = try TrainingSession(
        prepared: prepared, directory: directory, resumeFrom: resumeState, hooks: hooks,
        publish: { [self] event in events.withLock { $0.append(event) } },
        pollCommands: { [self] in
          mailbox.withLock { queue in
            // Polled before every batch: an empty mailbox is answered without touching its buffer,
            // and a full one is swapped out, so neither copies an array the caller still holds.
            var taken: [TrainerCommand] = []
            if !queue.isEmpty { swap(&taken, &queue) }
            return taken
          }
        })
      summary = session.run()
    } catch {
      // `ResumableRun.open` checks the state before a trainer exists, so this is a last resort.
      summary = RunSummary(status: .failed, reason: String(describing: error))
      events.withLock { $0 += [.message(String(describing: error)), .finished(summary)] }
    }
    let weights = prepared.model.checkpointTensors()
    finalWeights.withLock { $0 = weights }
    result.withLock { $0 = summary }
    done.signal()
    return summary
  }

  /// Queues a command for the training thread.
  public func send(_ command: TrainerCommand) {
    mailbox.withLock { $0.append(command) }
  }

  /// Takes every event published since the last call, oldest first.
  public func drainEvents() -> [TrainingEvent] {
    events.withLock { queue in
      defer { queue.removeAll(keepingCapacity: true) }
      return queue
    }
  }

  /// The summary once the run has ended, else nil.
  public var summary: RunSummary? { result.withLock { $0 } }

  /// Waits for the run to end and returns the model's weights as they were at the end.
  public func finalModelWeights() -> [NamedTensor] {
    _ = waitUntilFinished()
    return finalWeights.withLock { $0 } ?? []
  }

  /// Blocks until the run ends and returns its summary.
  public func waitUntilFinished() -> RunSummary {
    if let summary { return summary }
    done.wait()
    done.signal()
    return summary!
  }
}
