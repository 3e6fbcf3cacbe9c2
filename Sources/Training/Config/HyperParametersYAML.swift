import Foundation
import Yams

/// Reading and writing the YAML config file (DESIGN §5).
extension HyperParameters {
  /// Loads and validates the config file at `path`; problems name the file and line.
  public static func load(path: String) throws(ConfigError) -> HyperParameters {
    guard FileManager.default.fileExists(atPath: path) else {
      throw ConfigError(key: "", message: "no such config file", location: path)
    }
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else {
      throw ConfigError(key: "", message: "cannot read the config file as UTF-8 text", location: path)
    }
    return try load(yaml: text, source: path)
  }

  /// Parses and validates YAML text; `source` names it in messages (`source:line`).
  /// Every key is optional, and an empty document gives the defaults.
  public static func load(yaml text: String, source: String = "config") throws(ConfigError)
    -> HyperParameters
  {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch {
      throw syntaxError(error, source: source)
    }
    var parameters = HyperParameters()
    guard let root, root.null == nil else { return parameters }
    guard let mapping = root.mapping else {
      let line = root.mark.map { ":\($0.line)" } ?? ""
      throw ConfigError(
        key: "", message: "the top level must be a mapping of key: value lines, got \(describe(root))",
        location: source + line)
    }
    var lines: [String: Int] = [:]
    for (keyNode, valueNode) in mapping {
      let line = keyNode.mark?.line ?? 0
      let location = "\(source):\(line)"
      guard let name = keyNode.scalar?.string else {
        throw ConfigError(
          key: "", message: "a key must be a name, got \(describe(keyNode))", location: location)
      }
      guard let key = ConfigKey.named(name) else {
        throw ConfigKey.unknownKeyError(name).located(location)
      }
      do {
        parameters[key] = try key.parse(node: valueNode)
      } catch {
        throw error.located(location)
      }
      lines[name] = line
    }
    parameters.applyTaskDefaults(explicit: Set(lines.keys))
    parameters.fitDefaultWarmup(explicit: Set(lines.keys))
    do {
      try parameters.validate()
    } catch {
      // A cross-key problem points at its key's line, or at epochs, the other key it involves.
      let line = lines[error.key] ?? lines[ConfigKey.epochs.name]
      throw error.located(line.map { "\(source):\($0)" } ?? source)
    }
    return parameters
  }

  /// The whole configuration as YAML, every key in table order with its help as a comment;
  /// `load(yaml:)` reads it back equal.
  public func yaml() -> String {
    let lines = ConfigKey.all.map { (entry: "\($0.name): \(self[$0].yaml)", help: $0.help) }
    let column = min(lines.map(\.entry.count).max() ?? 0, 40) + 2
    var text = "# tunetop hyperparameters; every key is optional, a missing key takes its default.\n"
    for line in lines {
      let padding = String(repeating: " ", count: max(1, column - line.entry.count))
      text += "\(line.entry)\(padding)# \(line.help)\n"
    }
    return text
  }

  private static func syntaxError(_ error: any Error, source: String) -> ConfigError {
    guard let error = error as? YamlError else {
      return ConfigError(key: "", message: "invalid YAML: \(error)", location: source)
    }
    func invalid(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> ConfigError {
      // libyaml's contexts read "while parsing …" after the problem, the composer's "expected …" before it.
      let text: String
      switch context?.text {
      case .none: text = problem
      case .some(let context) where context.hasPrefix("while"): text = "\(problem) \(context)"
      case .some(let context): text = "\(context), \(problem)"
      }
      return ConfigError(key: "", message: "invalid YAML: \(text)", location: "\(source):\(mark.line)")
    }
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      return invalid(problem, context, mark)
    case .reader(let problem, let offset, _, let yaml):
      let line = offset.map { offset in
        yaml.utf8.prefix(offset).count(where: { $0 == UInt8(ascii: "\n") }) + 1
      }
      return ConfigError(
        key: "", message: "invalid YAML: \(problem)", location: source + (line.map { ":\($0)" } ?? ""))
    case .duplicatedKeysInMapping(let duplicates, let context):
      let name = duplicates.first ?? ""
      return ConfigError(
        key: name, message: "\(name) is given more than once", location: "\(source):\(context.mark.line)")
    default:
      return ConfigError(key: "", message: "invalid YAML: \(error)", location: source)
    }
  }

  /// How a node that has the wrong shape is named in a message.
  static func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return quotedForMessage(scalar.string)
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .alias: return "an alias"
    }
  }
}

extension ConfigKey {
  /// Parses a YAML value: a scalar as typed text, a sequence only for list keys (a comma-separated
  /// scalar works for them too), and nothing (`key:`) only for lists, meaning the empty list.
  func parse(node: Node) throws(ConfigError) -> ConfigValue {
    switch node {
    case .scalar(let scalar):
      if node.null != nil {
        if isList { return try parse(items: [], shown: "[]") }
        let hint = "delete the line to use the default (\(defaultValue))"
        throw ConfigError(key: name, message: "\(name) has no value; \(hint)")
      }
      return try parse(scalar.string)
    case .sequence(let sequence):
      guard isList else {
        throw ConfigError(key: name, message: "\(name) must be \(typeName), got a list")
      }
      var items: [String] = []
      for element in sequence {
        guard let text = element.scalar?.string else {
          throw ConfigError(
            key: name,
            message: "\(name) must be \(constraint), got \(HyperParameters.describe(element)) inside it")
        }
        items.append(text)
      }
      return try parse(items: items, shown: "[" + items.joined(separator: ", ") + "]")
    case .mapping, .alias:
      throw ConfigError(
        key: name, message: "\(name) must be \(typeName), got \(HyperParameters.describe(node))")
    }
  }
}
