import Foundation

/// The trainer's side of a run's `control.jsonl`: creates it, reads the lines appended since the
/// last look at each step boundary, turns valid commands into `TrainerCommand`s and answers every
/// command in `events.jsonl` (docs/run-directory.md).
///
/// Used from the training thread only. A step with nothing new costs one clock read (and at most
/// every `checkInterval` one `fstat`), with no heap allocation.
public final class RunControl {
  public static let fileName = "control.jsonl"

  private let directory: RunDirectory
  private let groups: [String]
  private let descriptor: Int32
  private let checkInterval: Duration
  private let clock = ContinuousClock()
  private var lastCheck: ContinuousClock.Instant?
  /// Bytes of the file already read; a torn last line is not counted until it is complete.
  private var offset: Int64
  private var linesRead = 0
  private var buffer: [UInt8] = []
  /// Set when the file is not safe to obey; nothing more is read.
  private var refused = false

  /// Creates `control.jsonl` in `directory`, mode 0600, or opens the one a resumed run already has
  /// (skipping what it holds: those commands were for the earlier session). A file another user
  /// owns or others can write is refused with one `control_refused` event; the run trains on.
  public init(
    directory: RunDirectory, groups: [String], step: Int, checkInterval: Duration = .milliseconds(5)
  )
    throws
  {
    self.directory = directory
    self.groups = groups
    self.checkInterval = checkInterval
    let path = directory.url.appendingPathComponent(Self.fileName).path
    var descriptor = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if descriptor < 0, errno == EEXIST {
      descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    }
    guard descriptor >= 0 else {
      throw RunDirectoryError(path: path, reason: String(cString: strerror(errno)))
    }
    self.descriptor = descriptor
    var info = stat()
    offset = fstat(descriptor, &info) == 0 ? Int64(info.st_size) : 0
    if let why = Self.unsafeReason(info) { try refuse(why, step: step) }
  }

  deinit { close(descriptor) }

  /// Why commands in a file with these owner and mode bits must not be obeyed, or nil.
  static func unsafeReason(_ info: stat) -> String? {
    let mode = info.st_mode & 0o7777
    if info.st_uid != geteuid() {
      return
        "\(fileName) is owned by uid \(info.st_uid), not by this run's user (uid \(geteuid())); commands are ignored"
    }
    if mode & 0o022 != 0 {
      return
        "\(fileName) is writable by other users (mode \(String(mode, radix: 8, uppercase: false).leftPadded(4))); commands are ignored"
    }
    return nil
  }

  private func refuse(_ reason: String, step: Int) throws {
    refused = true
    try directory.appendEvent("control_refused", step: step, fields: ["reason": .text(reason)])
  }

  /// Appends the commands that arrived since the last call to `commands`, answering each one in
  /// `events.jsonl` as applied at `step` or refused. The trainer carries out what is appended
  /// before its next step, so `step` is where the command takes effect.
  public func poll(step: Int, into commands: inout [TrainerCommand]) throws {
    guard !refused else { return }
    let now = clock.now
    if let lastCheck, now - lastCheck < checkInterval { return }
    lastCheck = now
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { return }
    let size = Int64(info.st_size)
    guard size != offset else { return }
    if let why = Self.unsafeReason(info) { return try refuse(why, step: step) }
    guard size > offset else {
      // Truncated by someone: what is there now was never read.
      offset = size
      return
    }
    for line in readCompleteLines(upTo: size) {
      linesRead += 1
      if Self.isBlank(line) { continue }
      switch ControlCommand.parse(line, lineNumber: linesRead, groups: groups) {
      case .success(let command):
        commands.append(Self.trainerCommand(command.action))
        try answer(id: command.id, command: command.action.word, step: step, refusal: nil)
      case .failure(let refusal):
        try answer(id: refusal.id, command: refusal.command, step: step, refusal: refusal.reason)
      }
    }
  }

  /// Refuses every command that arrived after the run's last step boundary: the run has ended.
  public func refuseRemaining(step: Int, status: RunStatus) throws {
    guard !refused else { return }
    var info = stat()
    guard fstat(descriptor, &info) == 0, Int64(info.st_size) > offset, Self.unsafeReason(info) == nil
    else { return }
    for line in readCompleteLines(upTo: Int64(info.st_size)) {
      linesRead += 1
      if Self.isBlank(line) { continue }
      let parsed = ControlCommand.parse(line, lineNumber: linesRead, groups: groups)
      let (id, word): (Int?, String?) =
        switch parsed {
        case .success(let command): (command.id, command.action.word)
        case .failure(let refusal): (refusal.id, refusal.command)
        }
      try answer(id: id, command: word, step: step, refusal: "the run has ended (\(status.rawValue))")
    }
  }

  /// The complete lines between `offset` and `size`; `offset` moves past them only.
  private func readCompleteLines(upTo size: Int64) -> [String] {
    let count = Int(size - offset)
    if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
    let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
    guard read > 0, let lastNewline = buffer[..<read].lastIndex(of: UInt8(ascii: "\n")) else { return [] }
    offset += Int64(lastNewline + 1)
    return buffer[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) }
  }

  /// A blank line (a sender's stray newline) is no command and gets no answer.
  private static func isBlank(_ line: String) -> Bool {
    line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
  }

  private func answer(id: Int?, command: String?, step: Int, refusal: String?) throws {
    var fields: [String: RunEventValue] = ["result": .text(refusal == nil ? "applied" : "refused")]
    if let id { fields["id"] = .integer(id) }
    if let command { fields["command"] = .text(command) }
    if let refusal { fields["reason"] = .text(refusal) }
    try directory.appendEvent("command", step: step, fields: fields)
  }

  static func trainerCommand(_ action: ControlCommand.Action) -> TrainerCommand {
    switch action {
    case .pause: .pause
    case .resume: .resume
    case .stop: .stop
    case .prune(let reason): .prune(reason: reason)
    case .set(let key, let value):
      switch key {
      case "learning_rate": .setLearningRate(value)
      case "weight_decay": .setWeightDecay(value)
      default: .setDropout(value)
      }
    case .freeze(let group): .setFrozen(group: group, frozen: true)
    case .unfreeze(let group): .setFrozen(group: group, frozen: false)
    }
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
