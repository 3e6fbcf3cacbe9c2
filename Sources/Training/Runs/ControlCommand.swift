import Foundation

/// One command to a live run, as a line of its `control.jsonl` (docs/run-directory.md).
public struct ControlCommand: Sendable, Equatable {
  /// What the command asks of the trainer.
  public enum Action: Sendable, Equatable {
    case pause, resume, stop
    /// Ends the run as `pruned` with `reason` (a search's scheduler stopping a trial).
    case prune(reason: String)
    case set(key: String, value: Double)
    case freeze(group: String)
    case unfreeze(group: String)

    /// The `command` word of the line.
    public var word: String {
      switch self {
      case .pause: "pause"
      case .resume: "resume"
      case .stop: "stop"
      case .prune: "prune"
      case .set: "set"
      case .freeze: "freeze"
      case .unfreeze: "unfreeze"
      }
    }
  }

  public var id: Int
  public var action: Action

  public init(id: Int, action: Action) {
    self.id = id
    self.action = action
  }

  /// The keys a `set` may change while a run trains.
  public static let hotKeys = ["learning_rate", "weight_decay", "dropout"]
  /// Every `command` word, in the order messages list them.
  public static let words = ["pause", "resume", "stop", "prune", "set", "freeze", "unfreeze"]

  /// The JSON line a sender appends, without its newline.
  public func line(at date: Date, by sender: String?) -> String {
    var object: [String: Any] = [
      "id": id, "at": ISO8601DateFormatter().string(from: date), "command": action.word,
    ]
    if let sender { object["by"] = sender }
    switch action {
    case .set(let key, let value):
      object["key"] = key
      object["value"] = value
    case .freeze(let group), .unfreeze(let group):
      object["group"] = group
    case .prune(let reason): object["reason"] = reason
    case .pause, .resume, .stop: break
    }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  /// Range-checks a `set` value as `config.yaml` does; the message names the key, the value and what
  /// is valid. `key` must be one of `hotKeys`.
  public static func checkHotValue(key: String, value: Double) throws(ControlRefusal) {
    guard hotKeys.contains(key), let configKey = ConfigKey.named(key) else {
      throw ControlRefusal(
        "unknown key \"\(key)\"; a running run can change \(hotKeys.joined(separator: ", "))")
    }
    guard value.isFinite else { throw ControlRefusal("\(key) must be a finite number, got \(value)") }
    do throws(ConfigError) {
      _ = try configKey.parse(RunDirectory.number(value))
    } catch {
      throw ControlRefusal(error.message)
    }
  }

  /// The command on one complete line of `control.jsonl`, or why it is refused (with its id when
  /// the line has one). `groups` are the run's layer groups, for `freeze` and `unfreeze`.
  public static func parse(_ line: some StringProtocol, lineNumber: Int, groups: [String])
    -> Result<ControlCommand, ControlRefusal>
  {
    let place = "control.jsonl line \(lineNumber)"
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
      return .failure(ControlRefusal("\(place) is not a JSON object"))
    }
    let word = object["command"] as? String
    guard let id = integer(object["id"]), id > 0 else {
      return .failure(
        ControlRefusal("\(place) has no \"id\" (a positive integer)", command: word))
    }
    func refuse(_ reason: String) -> Result<ControlCommand, ControlRefusal> {
      .failure(ControlRefusal(reason, id: id, command: word))
    }
    guard let word else { return refuse("\(place) has no \"command\"") }
    func group() -> Result<String, ControlRefusal> {
      guard let name = object["group"] as? String else {
        return .failure(ControlRefusal("\(word) needs a \"group\"", id: id, command: word))
      }
      guard groups.contains(name) else {
        return .failure(
          ControlRefusal(
            "unknown group \"\(name)\"; the groups are \(groups.joined(separator: ", "))", id: id,
            command: word))
      }
      return .success(name)
    }
    let action: Action
    switch word {
    case "pause": action = .pause
    case "resume": action = .resume
    case "stop": action = .stop
    case "prune":
      guard let reason = object["reason"] as? String, !reason.isEmpty else {
        return refuse("prune needs a \"reason\" (text)")
      }
      action = .prune(reason: reason)
    case "freeze", "unfreeze":
      switch group() {
      case .success(let name): action = word == "freeze" ? .freeze(group: name) : .unfreeze(group: name)
      case .failure(let refusal): return .failure(refusal)
      }
    case "set":
      guard let key = object["key"] as? String else { return refuse("set needs a \"key\"") }
      guard let value = number(object["value"]) else {
        return refuse("set \(key) needs a numeric \"value\", got \(describe(object["value"]))")
      }
      do throws(ControlRefusal) {
        try checkHotValue(key: key, value: value)
      } catch {
        return refuse(error.reason)
      }
      action = .set(key: key, value: value)
    default:
      return refuse("unknown command \"\(word)\"; valid: \(words.joined(separator: ", "))")
    }
    return .success(ControlCommand(id: id, action: action))
  }

  /// JSON numbers arrive as NSNumber, which also answers to Bool; `true` is not an id.
  private static func integer(_ value: Any?) -> Int? {
    guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
    let double = number.doubleValue
    guard double == double.rounded(), abs(double) < 1e15 else { return nil }
    return Int(double)
  }

  private static func number(_ value: Any?) -> Double? {
    if let number = value as? NSNumber, !isBoolean(number) { return number.doubleValue }
    // `"3e-4"` is how a shell script most easily writes a rate.
    if let text = value as? String { return CSVNumber.parse(Substring(text)) }
    return nil
  }

  /// JSON `true` arrives as a boolean NSNumber (type `c`), which `is Bool` cannot tell from 1.
  private static func isBoolean(_ number: NSNumber) -> Bool {
    let type = String(cString: number.objCType)
    return type == "c" || type == "B"
  }

  private static func describe(_ value: Any?) -> String {
    guard let value, !(value is NSNull) else { return "nothing" }
    return String(describing: value)
  }
}

/// Why a control command is not carried out, for its `command` event and the sender.
public struct ControlRefusal: Error, Sendable, Equatable, CustomStringConvertible {
  public var reason: String
  /// The command's id, when the line had one.
  public var id: Int?
  public var command: String?

  public init(_ reason: String, id: Int? = nil, command: String? = nil) {
    self.reason = reason
    self.id = id
    self.command = command
  }

  public var description: String { reason }
}
