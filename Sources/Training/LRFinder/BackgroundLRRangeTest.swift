import Foundation
import Synchronization

/// Runs an LR range test on its own thread so a UI can plot the curve as it grows and cancel it.
///
///     let finder = BackgroundLRRangeTest(LRRangeTest(), prepared: try PreparedRun.prepare(settings))
///     finder.start()
///     finder.points()          // the curve so far, from any thread
///     finder.cancel()          // ends at the next step; the weights are restored all the same
///     finder.result            // nil until it has ended
///
/// The prepared run is handed over as `sending`, so the caller keeps no reference to its model
/// while the test thread trains it.
public final class BackgroundLRRangeTest: Sendable {
  public let test: LRRangeTest
  private let handOff: Mutex<PreparedRun?>
  private let curve = Mutex<[LRRangePoint]>([])
  private let outcome = Mutex<LRRangeTestResult?>(nil)
  private let cancelled = Atomic<Bool>(false)
  private let started = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)

  public init(_ test: LRRangeTest, prepared: sending PreparedRun) {
    self.test = test
    handOff = Mutex(prepared)
  }

  /// Starts the test thread; calling it twice has no effect.
  public func start() {
    guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let thread = Thread { [self] in
      guard let prepared = handOff.withLock({ $0.take() }) else { return }
      let result = test.run(
        prepared, isCancelled: { [self] in cancelled.load(ordering: .relaxed) },
        onPoint: { [self] point in curve.withLock { $0.append(point) } })
      outcome.withLock { $0 = result }
      done.signal()
    }
    thread.name = "tunetop-lr-find"
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// Asks the test to end before its next step.
  public func cancel() { cancelled.store(true, ordering: .relaxed) }

  /// The points recorded so far, in order.
  public func points() -> [LRRangePoint] { curve.withLock { $0 } }

  /// The finished test, or nil while it runs.
  public var result: LRRangeTestResult? { outcome.withLock { $0 } }

  /// Blocks until the test has ended (started first if needed).
  public func waitUntilFinished() -> LRRangeTestResult {
    start()
    if let result { return result }
    done.wait()
    done.signal()
    return result!
  }
}
