/// Reading and editing `HyperParameters` one `ConfigKey` at a time: what the dashboard form is built on.
extension HyperParameters {
  /// The key's value as the form shows it (`0.001`, `adamw`, `128, 64`; an empty list is empty text).
  public func value(of key: ConfigKey) -> String {
    self[key].display
  }

  /// Parses `text` as the key's value and stores it, or throws without changing anything.
  ///
  /// Only the key's own range is checked; call `validate()` afterwards for the checks that span
  /// keys (warmup_epochs < epochs), which a half-finished edit of several keys could not yet meet.
  public mutating func set(_ key: ConfigKey, from text: String) throws(ConfigError) {
    let previousFamily = key == .baseModel ? ModelFamily(baseModel: baseModel) : nil
    self[key] = try key.parse(text)
    if let previousFamily { switchModelDefaults(from: previousFamily) }
    if key == .task {
      // Typing a file's path in the form takes all its rows, as a config file would; going back
      // to a built-in task brings back its default.
      if DigitsVariant(task: task) != nil, trainSamples == Self.allSamples {
        trainSamples = HyperParameters().trainSamples
      } else {
        applyTaskDefaults(explicit: [key.name])
      }
    }
  }

  /// A copy with the key moved one step in `direction` (+1 up, -1 down; larger magnitudes take
  /// several steps). At the edge of the range the value stops rather than becoming invalid.
  public func stepped(_ key: ConfigKey, by direction: Int) -> HyperParameters {
    var copy = self
    for _ in 0..<abs(direction) {
      copy[key] = key.step(copy[key], up: direction > 0)
    }
    return copy
  }

  /// Puts the key back to its default.
  public mutating func reset(_ key: ConfigKey) {
    self[key] = HyperParameters()[key]
  }

  /// Whether the key differs from its default.
  public func isDefault(_ key: ConfigKey) -> Bool {
    self[key] == HyperParameters()[key]
  }

  /// The keys whose values differ from the defaults, in table order.
  public func nonDefaultKeys() -> [ConfigKey] {
    ConfigKey.all.filter { !isDefault($0) }
  }

  /// `learning_rate=0.003, frozen=hidden1`: the differing keys, for logs and the run list.
  public func nonDefaultSummary() -> String {
    nonDefaultKeys().map { "\($0.name)=\(value(of: $0))" }.joined(separator: ", ")
  }

  subscript(key: ConfigKey) -> ConfigValue {
    get {
      switch key.binding {
      case .real(let path): return .number(self[keyPath: path])
      case .count(let path): return .integer(self[keyPath: path])
      case .flag(let path): return .flag(self[keyPath: path])
      case .text(let path): return .text(self[keyPath: path])
      case .integers(let path): return .integers(self[keyPath: path])
      case .names(let path): return .names(self[keyPath: path])
      case .optimizer: return .text(optimizer.rawValue)
      case .schedule: return .text(schedule.rawValue)
      case .monitor: return .text(monitor.rawValue)
      }
    }
    set {
      switch (key.binding, newValue) {
      case (.real(let path), .number(let value)): self[keyPath: path] = value
      case (.count(let path), .integer(let value)): self[keyPath: path] = value
      case (.flag(let path), .flag(let value)): self[keyPath: path] = value
      case (.text(let path), .text(let value)): self[keyPath: path] = value
      case (.integers(let path), .integers(let value)): self[keyPath: path] = value
      case (.names(let path), .names(let value)): self[keyPath: path] = value
      case (.optimizer, .text(let value)):
        guard let kind = OptimizerKind(rawValue: value) else { preconditionFailure("unchecked \(value)") }
        optimizer = kind
      case (.schedule, .text(let value)):
        guard let kind = ScheduleKind(rawValue: value) else { preconditionFailure("unchecked \(value)") }
        schedule = kind
      case (.monitor, .text(let value)):
        guard let metric = MonitoredMetric(rawValue: value) else { preconditionFailure("unchecked \(value)") }
        monitor = metric
      default:
        preconditionFailure("\(newValue) does not fit \(key.name)")
      }
    }
  }
}
