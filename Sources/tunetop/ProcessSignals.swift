import Foundation
import Synchronization

/// The last SIGINT/SIGTERM/SIGHUP received, set by a handler that does nothing else.
let receivedSignal = Atomic<Int32>(0)

/// Installs handlers for the signals that end a run politely; the run loop polls `receivedSignal`.
func installStopSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM]) {
  for number in signals {
    // Storing into a lock-free atomic is async-signal-safe; anything more happens on the loop.
    signal(number) { received in receivedSignal.store(received, ordering: .relaxed) }
  }
}

/// The conventional exit status of a process ended by `signal`: 128 + its number.
func exitStatus(forSignal number: Int32) -> Int32 { 128 + number }
