import Foundation
import Synchronization

/// The last SIGINT/SIGTERM/SIGHUP received, set by a handler that does nothing else.
let receivedSignal = Atomic<Int32>(0)

/// What the run says happened when the terminal went away; also the reason in summary.json.
let hangupReason = "the terminal closed (SIGHUP)"

/// Installs handlers for the signals that end a run politely; the run loop polls `receivedSignal`.
///
/// A SIGHUP the parent chose to ignore (`nohup tunetop train …`) stays ignored, so the run goes on.
func installStopSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
  // A global is initialized lazily, under a lock, on first use; that must not be inside a handler.
  receivedSignal.store(0, ordering: .relaxed)
  // A parent may start us with these signals blocked (test runners and some CI shells do, and a
  // blocked mask survives exec); then Ctrl-C would never reach the handler. Unblock them.
  var unblock = sigset_t()
  sigemptyset(&unblock)
  for number in signals { sigaddset(&unblock, number) }
  pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  for number in signals {
    // Storing into a lock-free atomic is async-signal-safe; anything more happens on the loop.
    let previous = signal(number) { received in receivedSignal.store(received, ordering: .relaxed) }
    if number == SIGHUP && isIgnoreHandler(previous) { signal(number, SIG_IGN) }
  }
}

private func isIgnoreHandler(_ handler: sighandler_t?) -> Bool {
  unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
}

/// The conventional exit status of a process ended by `signal`: 128 + its number.
func exitStatus(forSignal number: Int32) -> Int32 { 128 + number }
