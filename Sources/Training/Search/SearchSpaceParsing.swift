import Foundation
import Yams

/// Reading a search space from YAML:
///
///     learning_rate: {low: 1e-4, high: 0.1, log: true}   # a range (log or linear)
///     dropout: {low: 0, high: 0.5}
///     batch_size: [8, 16, 32]                             # choices
///     frozen: [[], [hidden1], [hidden1, hidden2]]         # choices of a list key: a list of lists
///     epochs: 20                                          # a fixed value
///
/// Every problem names the file and line, the key, the bad value and what is valid.
extension SearchSpace {
  public static func load(path: String) throws(ConfigError) -> SearchSpace {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError(key: "", message: "no such search space file", location: path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigError(key: "", message: "cannot read the search space as UTF-8 text", location: path)
    }
    return try load(yaml: text, source: path)
  }

  public static func load(yaml text: String, source: String = "space") throws(ConfigError) -> SearchSpace {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch {
      throw ConfigError(key: "", message: "invalid YAML: \(error)", location: source)
    }
    guard let root, root.null == nil, let mapping = root.mapping, !mapping.isEmpty else {
      throw ConfigError(
        key: "", message: "a search space must be a mapping of key: range, choices or value lines",
        location: source)
    }
    var dimensions: [SearchDimension] = []
    for (keyNode, valueNode) in mapping {
      let location = "\(source):\(keyNode.mark?.line ?? 0)"
      guard let name = keyNode.scalar?.string, let key = ConfigKey.named(name) else {
        throw ConfigKey.unknownKeyError(keyNode.scalar?.string ?? HyperParameters.describe(keyNode))
          .located(location)
      }
      do {
        dimensions.append(
          SearchDimension(key: key, domain: try domain(of: key, node: valueNode), location: location))
      } catch {
        let line = valueNode.mark.map { "\(source):\($0.line)" } ?? location
        throw error.located(line)
      }
    }
    return SearchSpace(dimensions)
  }

  private static func domain(of key: ConfigKey, node: Node) throws(ConfigError) -> SearchDomain {
    switch node {
    case .mapping(let mapping):
      return try range(of: key, mapping: mapping)
    case .sequence(let sequence):
      // A flat list is a fixed value for a list key (frozen: [hidden1]); its choices are lists.
      if key.isList && !sequence.contains(where: { $0.sequence != nil }) {
        return .fixed(try key.parse(node: node).yaml)
      }
      guard !sequence.isEmpty else {
        throw ConfigError(key: key.name, message: "\(key.name) has an empty list of choices")
      }
      var choices: [String] = []
      for element in sequence {
        let parsed = try key.parse(node: element)
        // List values keep their brackets so an empty list still reads as one: `[]`.
        let text = key.isList ? parsed.yaml : parsed.display
        guard !choices.contains(text) else {
          throw ConfigError(key: key.name, message: "\(key.name) lists the choice \(text) more than once")
        }
        choices.append(text)
      }
      return choices.count == 1 ? .fixed(choices[0]) : .choices(choices)
    case .scalar, .alias:
      return .fixed(try key.parse(node: node).display)
    }
  }

  private static func range(of key: ConfigKey, mapping: Node.Mapping) throws(ConfigError) -> SearchDomain {
    switch key.kind {
    case .rate, .real, .count: break
    default:
      throw ConfigError(
        key: key.name,
        message:
          "\(key.name) cannot be a range ({low, high}); it must be \(key.constraint), so give a list of choices"
      )
    }
    var low: Double?
    var high: Double?
    var log = false
    for (fieldNode, valueNode) in mapping {
      let field = fieldNode.scalar?.string ?? ""
      let text = valueNode.scalar?.string ?? HyperParameters.describe(valueNode)
      switch field {
      case "low", "high":
        // The ends must be valid values of the key themselves, so the key's own message applies.
        let number: Double
        switch try key.parse(text) {
        case .number(let value): number = value
        case .integer(let value): number = Double(value)
        default: throw key.typeError(text)
        }
        if field == "low" { low = number } else { high = number }
      case "log":
        switch text.lowercased() {
        case "true", "yes": log = true
        case "false", "no": log = false
        default:
          throw ConfigError(
            key: key.name, message: "\(key.name) log must be true or false, got \(quotedForMessage(text))")
        }
      default:
        throw ConfigError(
          key: key.name,
          message:
            "\(key.name) has an unknown range field \(quotedForMessage(field)); a range has low, high and optionally log"
        )
      }
    }
    guard let low, let high else {
      throw ConfigError(
        key: key.name,
        message: "\(key.name) range needs both low and high, e.g. {low: 1e-4, high: 0.1, log: true}")
    }
    guard low <= high else {
      throw ConfigError(
        key: key.name,
        message: "\(key.name) range has low > high (\(formatNumber(low)) > \(formatNumber(high))); swap them")
    }
    if log && low <= 0 {
      throw ConfigError(
        key: key.name,
        message:
          "\(key.name) log range needs low > 0, got \(formatNumber(low)); use a linear range to include 0")
    }
    return low == high
      ? .fixed(key.kind == .count ? String(Int(low)) : formatNumber(low))
      : .range(low: low, high: high, log: log)
  }
}
