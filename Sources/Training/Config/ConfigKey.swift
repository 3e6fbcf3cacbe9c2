/// One config key as the YAML loader, `--set` and the dashboard form all see it: name, help, type,
/// valid range, default, and where it lives in `HyperParameters`.
public struct ConfigKey: Sendable, Hashable, Identifiable, CustomStringConvertible {
  /// What a key holds, which decides how it is parsed, shown and stepped.
  public enum Kind: Equatable, Sendable {
    /// A positive real spanning decades (learning rate, weight decay); steps are ×/÷ 10^0.1.
    case rate
    /// A real with a natural linear increment (dropout, momentum).
    case real
    /// An integer; steps are ±1.
    case count
    /// One of a fixed set of values; steps cycle through them.
    case choice([String])
    /// A boolean; steps toggle it.
    case flag
    /// A list of integers (layer widths), written `128, 64` or as a YAML sequence.
    case integerList
    /// A list of layer group names (`hidden1`, `head`), written `hidden1, head` or as a YAML sequence.
    case nameList
    /// Free text such as a task name or a file path.
    case text
  }

  /// The snake_case name used in YAML and `--set`.
  public let name: String
  /// One line for the form's help bar and the saved YAML's comments.
  public let help: String
  public let kind: Kind
  /// Valid values of a numeric key, or of each element of an integer list; nil for other kinds.
  public let range: ConfigRange?
  /// How many elements a list may have; nil for scalars.
  public let length: ClosedRange<Int>?
  /// The linear step of a `real`; for a `rate` whose range includes 0, the smallest non-zero value
  /// stepping reaches (stepping below it gives 0, and up from 0 gives it).
  public let increment: Double
  /// A short tag for run names, e.g. `lr` for learning_rate.
  public let abbreviation: String
  let binding: Binding

  public var id: String { name }
  public var description: String { name }

  /// The default as the form shows it.
  public var defaultValue: String { HyperParameters().value(of: self) }

  /// The phrase after "must be" in messages, e.g. `> 0 and ≤ 10` or `an integer in 1…4096`;
  /// also a good hint for the form while editing.
  public var constraint: String {
    switch kind {
    case .rate, .real: return range?.inequalities ?? "a number"
    case .count:
      return "an integer in \(range?.integerInterval ?? "")" + (acceptsAll ? " or all" : "")
    case .choice(let values): return "one of \(values.joined(separator: ", "))"
    case .flag: return "true or false"
    case .integerList:
      return "a list of \(lengthPhrase) integers, each in \(range?.integerInterval ?? "")"
    case .nameList:
      if let allowed = allowedNames { return "a list of \(allowed.joined(separator: ", "))" }
      return "a list of layer group names like hidden1 or head"
    case .text: return "non-empty text"
    }
  }

  /// What a value must look like before its range is considered, for "must be an integer, got …".
  var typeName: String {
    switch kind {
    case .rate, .real: return "a number"
    case .count: return acceptsAll ? "an integer or all" : "an integer"
    case .choice, .flag, .integerList, .nameList, .text: return constraint
    }
  }

  var isList: Bool { kind == .integerList || kind == .nameList }

  private var lengthPhrase: String {
    guard let length else { return "" }
    return length.lowerBound == length.upperBound
      ? "\(length.lowerBound)" : "\(length.lowerBound) to \(length.upperBound)"
  }

  public static func == (lhs: ConfigKey, rhs: ConfigKey) -> Bool { lhs.name == rhs.name }
  public func hash(into hasher: inout Hasher) { hasher.combine(name) }

  /// The key called `name`, if there is one.
  public static func named(_ name: String) -> ConfigKey? { byName[name] }

  private static let byName: [String: ConfigKey] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.name, $0) })
}

extension ConfigKey {
  /// Where a key's value lives; the key paths are literals, hence safely Sendable.
  enum Binding: Sendable {
    case real(WritableKeyPath<HyperParameters, Double> & Sendable)
    case count(WritableKeyPath<HyperParameters, Int> & Sendable)
    case flag(WritableKeyPath<HyperParameters, Bool> & Sendable)
    case text(WritableKeyPath<HyperParameters, String> & Sendable)
    case integers(WritableKeyPath<HyperParameters, [Int]> & Sendable)
    case names(WritableKeyPath<HyperParameters, [String]> & Sendable)
    case optimizer
    case schedule
    case monitor
  }
}
