import Dispatch
import Foundation
import Synchronization

/// The one reusable second thread of the training kernels (half of a large product, or one part
/// of an elementwise pass): parked on a semaphore between calls so a hand-off pays a wake-up
/// (~microseconds), not a thread creation. One caller at a time may use it; a caller that finds it
/// busy computes alone.
final class WorkerThread: @unchecked Sendable {
  static let shared = WorkerThread()

  private let busy = Atomic<Bool>(false)
  /// Counts jobs handed over, so the worker can see one arrive while it still spins.
  private let posted = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)

  /// A sub-product for the worker: a plain value rather than a closure, so that a product hands
  /// over no heap-allocated context.
  struct Product {
    var problem: GEMMProblem
    var m: Int
    var n: Int
    var k: Int
    var kernel: GEMMKernel
  }

  /// Written by the claiming caller before `wake.signal()` and read by the worker after
  /// `wake.wait()`; the semaphores order the accesses, and `busy` admits one caller. Either a
  /// product or a pass is set. A pass is lent as a pointer to the caller's value and its type,
  /// not as a closure: handing a closure to another thread makes Swift copy its context to the
  /// heap on every call, and a training step allocates nothing.
  private var product: Product?
  private var pass: UnsafeRawPointer?
  private var passType: (any TwoPartPass.Type)?
  private var started = false

  private init() {}

  /// Hands `work` to the worker and returns true, or returns false without doing anything when
  /// another caller holds the worker. After a true return the caller does its own share and then
  /// must call `waitForWorker()` before anything `work` points to goes away.
  func post(_ work: Product) -> Bool {
    guard claim() else { return false }
    product = work
    signalPosted()
    return true
  }

  /// Hands part 1 of the pass at `pointer` to the worker; see `post(_:)` for the protocol.
  func post<Pass: TwoPartPass>(partOneOf pointer: UnsafePointer<Pass>) -> Bool {
    guard claim() else { return false }
    pass = UnsafeRawPointer(pointer)
    passType = Pass.self
    signalPosted()
    return true
  }

  private func claim() -> Bool {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
      return false
    }
    if !started {
      started = true
      let thread = Thread { [self] in loop() }
      thread.name = "tunetop-worker"
      thread.start()
    }
    return true
  }

  private func signalPosted() {
    posted.add(1, ordering: .releasing)
    wake.signal()
  }

  /// Waits until the posted job is done and frees the worker for the next caller; the worker no
  /// longer reads the job (or the caller's pass it points to) by then.
  func waitForWorker() {
    done.wait()
    product = nil
    pass = nil
    passType = nil
    busy.store(false, ordering: .releasing)
  }

  /// How long the worker stays on its core after a job before parking: the products and passes
  /// of one training step follow each other within microseconds, and a parked thread has to be
  /// woken and scheduled again, which on a loaded or two-core machine can cost more than the half
  /// it was meant to compute. Bounded, so an idle tunetop never burns a core.
  static let spinNanoseconds: UInt64 = 200_000

  private func loop() {
    var seen = 0
    while true {
      let spinStart = DispatchTime.now().uptimeNanoseconds
      while posted.load(ordering: .acquiring) == seen,
        DispatchTime.now().uptimeNanoseconds - spinStart < WorkerThread.spinNanoseconds
      {}
      // One `wait` per job either way: it returns at once when the job is already posted.
      wake.wait()
      seen += 1
      runPostedJob()
      done.signal()
    }
  }

  /// Runs the posted job; its last read of the job (and of the caller's pass) ends with this call,
  /// before the caller is told the job is done.
  private func runPostedJob() {
    if let product {
      product.problem.run(m: product.m, n: product.n, k: product.k, kernel: product.kernel)
    } else if let pass, let passType {
      runPartOne(passType, pass)
    }
  }

  private func runPartOne<Pass: TwoPartPass>(_ type: Pass.Type, _ pointer: UnsafeRawPointer) {
    pointer.assumingMemoryBound(to: Pass.self).pointee.run(part: 1)
  }
}

/// A pass split in two parts, each writing memory the other does not touch; `run(part:)` does part
/// 0 or 1. What a part computes must not depend on which thread runs it, so results are the same
/// bits whether the worker helped or not.
protocol TwoPartPass {
  func run(part: Int)
}

/// Splits passes between the calling thread and the worker: part 0 on the caller, part 1 on the
/// worker, or both in turn on the caller when one thread is allowed or the worker is busy.
///
/// A pass's state travels as a `context` value and its work as a closure that captures nothing
/// (it reads everything from the context), so that lending it to the worker allocates nothing.
enum TwoThreads {
  /// Below this many elements a pass stays on the caller: waking the worker costs about as much
  /// as the half it would take (elementwise kernels run at ~1-4 elements a nanosecond).
  static let minimumElements = 1 << 15

  /// Runs `body(context, 0)` and `body(context, 1)`, concurrently when the second thread is
  /// allowed and free and `worthIt` holds.
  static func run<Context>(
    if worthIt: Bool = true, _ context: Context, _ body: @escaping (Context, _ part: Int) -> Void
  ) {
    run(if: worthIt, ContextPass(context: context, body: body))
  }

  /// Runs `body` on the two halves of `0..<count` (see `range`), concurrently when `count` is
  /// large enough to repay the hand-off.
  static func split<Context>(
    count: Int, alignment: Int = 16, _ context: Context, _ body: @escaping (Context, Range<Int>) -> Void
  ) {
    run(
      if: count >= minimumElements,
      RangePass(context: context, count: count, alignment: alignment, body: body))
  }

  static func run<Pass: TwoPartPass>(if worthIt: Bool, _ pass: Pass) {
    if worthIt && gemmAllowsSecondThread.load(ordering: .relaxed) {
      let ran = withUnsafePointer(to: pass) { pointer in
        guard WorkerThread.shared.post(partOneOf: pointer) else { return false }
        pointer.pointee.run(part: 0)
        WorkerThread.shared.waitForWorker()
        return true
      }
      if ran { return }
    }
    pass.run(part: 0)
    pass.run(part: 1)
  }

  /// Part `part`'s share of `0..<count`: halves, the first a multiple of `alignment` items so a
  /// vector kernel's tail falls in the second.
  static func range(_ part: Int, of count: Int, alignment: Int = 16) -> Range<Int> {
    let first = min(count, (count / 2 + alignment - 1) / alignment * alignment)
    return part == 0 ? 0..<first : first..<count
  }
}

private struct ContextPass<Context>: TwoPartPass {
  let context: Context
  let body: (Context, Int) -> Void
  func run(part: Int) { body(context, part) }
}

private struct RangePass<Context>: TwoPartPass {
  let context: Context
  let count: Int
  let alignment: Int
  let body: (Context, Range<Int>) -> Void
  func run(part: Int) {
    let r = TwoThreads.range(part, of: count, alignment: alignment)
    if !r.isEmpty { body(context, r) }
  }
}
