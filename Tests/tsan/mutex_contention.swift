// Why one ThreadSanitizer report in `swift test --sanitize=thread` is not a race in tunetop.
//
//   swiftc -swift-version 6 -sanitize=thread -O Tests/tsan/mutex_contention.swift -o /tmp/mx && /tmp/mx
//
// Two threads increment a counter under one `Synchronization.Mutex`. The count always comes out
// exact (400000), yet on Linux TSan reports a "Swift access race" inside `withLock` as soon as the
// lock is contended: the contended path of Swift's Linux Mutex hands the lock over inside the kernel
// (a priority-inheritance futex), which TSan does not see, so it misses the happens-before edge.
// The hyperparameter search's workers (`--parallel 2`) contend for their shared state the same
// way, and TSan flags `HyperparameterSearch.claimTrial` for this reason alone.
import Foundation
import Synchronization

final class Counter: Sendable {
  let value = Mutex(0)
}

let counter = Counter()
let group = DispatchGroup()
for _ in 0..<2 {
  group.enter()
  Thread {
    for _ in 0..<200_000 { counter.value.withLock { $0 += 1 } }
    group.leave()
  }.start()
}
group.wait()
print(counter.value.withLock { $0 })
