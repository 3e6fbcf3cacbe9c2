import CNcursesw

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The quit signals (SIGINT, SIGTERM, SIGHUP) as a flag the UI loop polls, plus terminal restore on crashes.
///
/// All calls into the C signal statics live in this one file: a `static` in a C header exists once per object
/// file that uses it, so spreading the calls over several Swift files could split the flag in two.
enum SignalFlag {
  static func install() {
    tt_install_signal_handlers()
    // A parent may hand us these signals blocked (seen under a tmux server started by a test harness);
    // then SIGTERM would stay pending forever. Threads started later (the trainer) inherit this mask.
    var quit = sigset_t()
    sigemptyset(&quit)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&quit, signal) }
    pthread_sigmask(SIG_UNBLOCK, &quit, nil)
  }
  static func restore() { tt_restore_signal_handlers() }
  /// The signal number received since the last `clear()`, or nil.
  static var pending: Int32? {
    let value = tt_read_pending_signal()
    return value == 0 ? nil : value
  }
  static func clear() { tt_clear_pending_signal() }
}
