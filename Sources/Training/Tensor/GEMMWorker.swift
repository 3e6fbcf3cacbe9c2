import Dispatch
import Foundation
import Synchronization

/// The one reusable second thread of `gemm`: parked on a semaphore between calls so a large
/// product pays a wake-up (~microseconds), not a thread creation. One caller at a time may use it;
/// a caller that finds it busy simply computes alone.
final class GEMMWorker: @unchecked Sendable {
  static let shared = GEMMWorker()

  private let busy = Atomic<Bool>(false)
  /// Counts jobs handed over, so the worker can see one arrive while it still spins.
  private let posted = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)
  /// One sub-product for the worker. A plain value rather than a closure: a closure capturing the
  /// problem would need a heap-allocated context on every call, and a training step must not
  /// allocate.
  struct Job {
    var problem: GEMMProblem
    var m: Int
    var n: Int
    var k: Int
    var kernel: GEMMKernel

    func run() { problem.run(m: m, n: n, k: k, kernel: kernel) }
  }

  /// Written by the claiming caller before `wake.signal()` and read by the worker after
  /// `wake.wait()`; the semaphore orders the accesses, and `busy` admits one caller.
  private var job: Job?
  private var started = false

  private init() {}

  /// Runs `work` on the worker while the caller runs `callerWork`, and returns after both
  /// finished; returns false without running anything when another caller holds the worker.
  func tryRun(_ work: Job, whileCallerRuns callerWork: () -> Void) -> Bool {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      return false
    }
    if !started {
      started = true
      let thread = Thread { [self] in loop() }
      thread.name = "tunetop-gemm"
      thread.start()
    }
    // The job's pointers never outlive this call: we wait on `done` before returning.
    job = work
    posted.add(1, ordering: .releasing)
    wake.signal()
    callerWork()
    done.wait()
    job = nil
    busy.store(false, ordering: .releasing)
    return true
  }

  /// How long the worker stays on its core after a job before parking: products of one training
  /// step or one benchmark loop follow each other within microseconds, and a parked thread has to
  /// be woken and scheduled again, which on a loaded or two-core machine can cost more than the
  /// half product it was meant to compute. Bounded, so an idle tunetop never burns a core.
  static let spinNanoseconds: UInt64 = 200_000

  private func loop() {
    var seen = 0
    while true {
      let spinStart = DispatchTime.now().uptimeNanoseconds
      while posted.load(ordering: .acquiring) == seen,
        DispatchTime.now().uptimeNanoseconds - spinStart < GEMMWorker.spinNanoseconds
      {}
      // One `wait` per job either way: it returns at once when the job is already posted.
      wake.wait()
      seen += 1
      job?.run()
      done.signal()
    }
  }
}
