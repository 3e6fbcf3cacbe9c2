import Foundation

/// How a trainer answered a control command, read from its `command` event.
public enum ControlAnswer: Sendable, Equatable {
  case applied(step: Int)
  case refused(reason: String)

  /// The answer carried by one line of `events.jsonl` to the command `id`, or nil for any other line.
  public static func parse(eventLine line: String, id: Int) -> ControlAnswer? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      object["event"] as? String == "command", (object["id"] as? NSNumber)?.intValue == id
    else { return nil }
    if object["result"] as? String == "applied" {
      return .applied(step: (object["step"] as? NSNumber)?.intValue ?? 0)
    }
    return .refused(reason: object["reason"] as? String ?? "refused without a reason")
  }
}

/// Appends commands to a live run's `control.jsonl` on behalf of `tunetop ctl` and `tunetop watch`.
public struct ControlSender: Sendable {
  public let run: URL
  /// Who sends, written as the line's `by`.
  public let sender: String

  public init(run: URL, sender: String) {
    self.run = run
    self.sender = sender
  }

  public var controlURL: URL { run.appendingPathComponent(RunControl.fileName) }
  public var eventsURL: URL { run.appendingPathComponent("events.jsonl") }

  /// Why the run at `run` cannot take commands (it ended, its writer is gone, it has no control
  /// file), or nil when it can. Sending to such a run would wait for an answer that never comes.
  public func refusal() -> String? {
    let record = RunCatalog.record(at: run, readingSettings: false)
    guard let summary = record.summary else { return "\(run.path) has no readable summary.json" }
    if summary.status.isFinal { return "the run has ended (\(summary.status.rawValue))" }
    if !record.isLive {
      return
        "the run's process is gone (it says \(summary.status.rawValue) but pid \(summary.writer?.pid ?? 0) no longer runs)"
    }
    guard FileManager.default.fileExists(atPath: controlURL.path) else {
      return
        "the run has no \(RunControl.fileName): its trainer (\(summary.trainer ?? summary.source)) takes no commands"
    }
    return nil
  }

  /// Appends `action` under the next free id and returns the command as sent. The id is chosen and
  /// the line appended under an exclusive lock, so two senders never use the same id.
  public func send(_ action: ControlCommand.Action, at date: Date = Date()) throws -> ControlCommand {
    let path = controlURL.path
    let descriptor = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw RunDirectoryError(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    guard flock(descriptor, LOCK_EX) == 0 else {
      throw RunDirectoryError(path: path, reason: "cannot be locked: \(String(cString: strerror(errno)))")
    }
    defer { flock(descriptor, LOCK_UN) }
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let used = text.split(separator: "\n").compactMap { line -> Int? in
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        return nil
      }
      return (object["id"] as? NSNumber)?.intValue
    }
    let command = ControlCommand(id: (used.max() ?? 0) + 1, action: action)
    // A torn line left by a sender killed mid-write would swallow this one; start on a new line.
    let prefix = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
    let line = Array((prefix + command.line(at: date, by: sender) + "\n").utf8)
    let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == line.count else {
      throw RunDirectoryError(path: path, reason: "short write: \(String(cString: strerror(errno)))")
    }
    return command
  }

  /// Sends `action` and waits up to `timeout` seconds for the trainer's answer; nil when none came.
  /// A run that ends without reading the command (it was sent in the last moment) counts as a
  /// refusal, once its process is gone or a second has passed since it said it ended.
  public func sendAndWait(_ action: ControlCommand.Action, timeout: Double) throws -> (
    command: ControlCommand, answer: ControlAnswer?
  ) {
    // Follow events from before the append, so an answer written at once is not missed.
    let events = AppendedLines(url: eventsURL, offset: AppendedLines.size(of: eventsURL) ?? 0)
    let command = try send(action)
    let deadline = Date().addingTimeInterval(timeout)
    var endedAt: Date?
    var polls = 0
    while true {
      for line in events.read() {
        if let answer = ControlAnswer.parse(eventLine: line, id: command.id) { return (command, answer) }
      }
      if let endedAt, let summary = RunCatalog.readSummary(run),
        Date().timeIntervalSince(endedAt) > 1 || !(summary.writer?.isAlive ?? false)
      {
        // One last look: the trainer answers what it finds before its process exits.
        for line in events.read() {
          if let answer = ControlAnswer.parse(eventLine: line, id: command.id) { return (command, answer) }
        }
        return (command, .refused(reason: "the run has ended (\(summary.status.rawValue))"))
      }
      guard Date() < deadline else { return (command, nil) }
      polls += 1
      if endedAt == nil, polls % 10 == 0, RunCatalog.readSummary(run)?.status.isFinal == true {
        endedAt = Date()
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
  }
}
