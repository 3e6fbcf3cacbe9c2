import Foundation

/// The process that writes a run, recorded in `summary.json` so a listing can tell a live run from
/// one whose process died, even after the pid has been reused or from another machine.
public struct RunWriter: Sendable, Equatable {
  public var pid: Int32
  /// When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22); nil where
  /// there is no `/proc`. A pid alone is not enough: Linux hands pids out again.
  public var started: UInt64?
  /// The machine the process runs on: a runs directory on a shared file system is often read from
  /// another node, where the pid means nothing.
  public var host: String

  public init(pid: Int32, started: UInt64?, host: String) {
    self.pid = pid
    self.started = started
    self.host = host
  }

  /// This process.
  public static let current = RunWriter(
    pid: getpid(), started: processStartTicks(getpid()), host: localHostName())

  /// Whether the writer still runs. A writer on another host cannot be asked, so it is taken at
  /// its word: the run's status says it is running.
  public var isAlive: Bool {
    guard host == Self.current.host else { return true }
    return Self.isAlive(pid: pid, started: started)
  }

  /// `kill(pid, 0)` asks whether a process exists without signalling it; the start time, when both
  /// sides know it, tells the writer from a later process that got the same pid.
  static func isAlive(pid: Int32, started: UInt64?) -> Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let started, let now = processStartTicks(pid) else { return true }
    return now == started
  }

  /// `gethostname` itself: Foundation's `hostName` may ask DNS, which can hang on a cluster node
  /// whose resolver is down, and a listing must not wait on the network.
  static func localHostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
    return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Field 22 of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold
  /// spaces and parentheses itself, so fields are counted from the last `)`.
  static func processStartTicks(_ pid: Int32) -> UInt64? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
      let text = String(data: data, encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (the state), so field 22 is fields[19].
    guard fields.count > 19 else { return nil }
    return UInt64(fields[19])
  }
}
