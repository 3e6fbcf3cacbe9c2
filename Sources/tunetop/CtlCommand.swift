import ArgumentParser
import Foundation
import Training

/// `tunetop ctl`: sends one command to a live run through its `control.jsonl` and waits for the
/// trainer's answer, so scripts can steer a headless run (or a PyTorch loop using the Python package).
struct CtlCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ctl",
    abstract: "Pause, resume, stop, hot-edit or freeze a live run through its control file.",
    discussion: """
      COMMAND is one of: pause, resume, stop, set KEY=VALUE (KEY: \
      \(ControlCommand.hotKeys.joined(separator: ", "))), freeze GROUP, unfreeze GROUP.
      Exit status: 0 applied, 1 refused (or the run cannot take commands), 2 bad input, 3 no answer \
      within --timeout.
      """)

  @Argument(help: ArgumentHelp("The run: a path, a name, or a unique part of one.", valueName: "run"))
  var target: String

  @Argument(help: "pause, resume, stop, set, freeze or unfreeze.")
  var command: String

  @Argument(help: "KEY=VALUE for set, a group name for freeze and unfreeze.")
  var operand: String?

  @Option(name: .long, help: ArgumentHelp("Directory that holds run directories.", valueName: "dir"))
  var runs: String = "runs"

  @Option(name: .long, help: ArgumentHelp("Seconds to wait for the trainer's answer.", valueName: "seconds"))
  var timeout: Double = 30

  func run() throws {
    let (url, action) = try failOnBadInput { () throws -> (URL, ControlCommand.Action) in
      guard timeout.isFinite, timeout >= 0 else {
        throw ValidationError("--timeout must be a number of seconds ≥ 0, got \(timeout)")
      }
      let action = try Self.action(command, operand)
      return (try RunLocator(runs: URL(fileURLWithPath: runs)).locate(target), action)
    }
    let sender = ControlSender(run: url, sender: "tunetop ctl (\(RunWriter.current.host) pid \(getpid()))")
    if let why = sender.refusal() {
      FileHandle.standardError.write(Data("tunetop: refused: \(why)\n".utf8))
      throw ExitCode(1)
    }
    let (sent, answer) = try failOnBadInput { try sender.sendAndWait(action, timeout: timeout) }
    switch answer {
    case .applied(let step):
      // A stopped run still saves `last` and its summary; a script that lists or reads the run
      // next should find it ended, so wait for that too (within what is left of --timeout).
      if action == .stop { Self.waitUntilEnded(url, until: Date().addingTimeInterval(timeout)) }
      print("command \(sent.id) (\(Self.describe(action))) applied at step \(step)")
    case .refused(let reason):
      FileHandle.standardError.write(Data("tunetop: command \(sent.id) refused: \(reason)\n".utf8))
      throw ExitCode(1)
    case nil:
      FileHandle.standardError.write(
        Data(
          "tunetop: command \(sent.id) (\(Self.describe(action))) got no answer within \(timeout) s; it stays in \(RunControl.fileName) and may still be applied\n"
            .utf8))
      throw ExitCode(3)
    }
  }

  /// The action the words on the command line name; a bad key or value is bad input.
  static func action(_ command: String, _ operand: String?) throws -> ControlCommand.Action {
    func noOperand(_ action: ControlCommand.Action) throws -> ControlCommand.Action {
      if let operand { throw ValidationError("\(command) takes nothing after it, got \"\(operand)\"") }
      return action
    }
    switch command {
    case "pause": return try noOperand(.pause)
    case "resume": return try noOperand(.resume)
    case "stop": return try noOperand(.stop)
    case "freeze", "unfreeze":
      guard let group = operand, !group.isEmpty else {
        throw ValidationError("\(command) needs a group name: tunetop ctl RUN \(command) GROUP")
      }
      return command == "freeze" ? .freeze(group: group) : .unfreeze(group: group)
    case "set":
      guard let operand, let equals = operand.firstIndex(of: "=") else {
        throw ValidationError(
          "set needs KEY=VALUE with KEY one of \(ControlCommand.hotKeys.joined(separator: ", ")), got \"\(operand ?? "")\""
        )
      }
      let key = String(operand[..<equals])
      let text = String(operand[operand.index(after: equals)...])
      guard let value = CSVNumber.parse(Substring(text)) else {
        throw ValidationError("\(key) must be a number, got \"\(text)\"")
      }
      do throws(ControlRefusal) {
        try ControlCommand.checkHotValue(key: key, value: value)
      } catch {
        throw ValidationError(error.reason)
      }
      return .set(key: key, value: value)
    default:
      throw ValidationError(
        "unknown command \"\(command)\"; valid: \(ControlCommand.words.joined(separator: ", "))")
    }
  }

  /// Returns once the run's summary is final or its writer is gone, or at `deadline`.
  static func waitUntilEnded(_ run: URL, until deadline: Date) {
    while Date() < deadline {
      let record = RunCatalog.record(at: run, readingSettings: false)
      if record.summary?.status.isFinal == true || !record.isLive { return }
      Thread.sleep(forTimeInterval: 0.01)
    }
  }

  static func describe(_ action: ControlCommand.Action) -> String {
    switch action {
    case .set(let key, let value): "set \(key)=\(value)"
    case .freeze(let group): "freeze \(group)"
    case .unfreeze(let group): "unfreeze \(group)"
    default: action.word
    }
  }
}
