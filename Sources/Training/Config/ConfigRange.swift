/// The valid interval of a numeric key (or of each element of a numeric list); either end may be open.
public struct ConfigRange: Equatable, Sendable {
  public var lower: Double?
  public var lowerInclusive: Bool
  public var upper: Double?
  public var upperInclusive: Bool

  public init(lower: Double?, lowerInclusive: Bool, upper: Double?, upperInclusive: Bool) {
    self.lower = lower
    self.lowerInclusive = lowerInclusive
    self.upper = upper
    self.upperInclusive = upperInclusive
  }

  /// `[a, b]`: both ends included.
  public static func closed(_ lower: Double, _ upper: Double) -> ConfigRange {
    ConfigRange(lower: lower, lowerInclusive: true, upper: upper, upperInclusive: true)
  }

  /// `(a, b]`: for values that must be positive, such as a learning rate.
  public static func openClosed(_ lower: Double, _ upper: Double) -> ConfigRange {
    ConfigRange(lower: lower, lowerInclusive: false, upper: upper, upperInclusive: true)
  }

  /// `[a, b)`: for probabilities that must stay below 1, such as dropout.
  public static func closedOpen(_ lower: Double, _ upper: Double) -> ConfigRange {
    ConfigRange(lower: lower, lowerInclusive: true, upper: upper, upperInclusive: false)
  }

  /// `[a, ∞)`.
  public static func atLeast(_ lower: Double) -> ConfigRange {
    ConfigRange(lower: lower, lowerInclusive: true, upper: nil, upperInclusive: false)
  }

  /// Infinity and NaN are never valid: the trainer would turn them into NaN losses many steps later.
  public func contains(_ value: Double) -> Bool {
    guard value.isFinite else { return false }
    if let lower, lowerInclusive ? value < lower : value <= lower { return false }
    if let upper, upperInclusive ? value > upper : value >= upper { return false }
    return true
  }

  /// `> 0 and ≤ 10`, `≥ 0`: how a real-valued range reads in a message.
  public var inequalities: String {
    var parts: [String] = []
    if let lower { parts.append("\(lowerInclusive ? "≥" : ">") \(formatNumber(lower))") }
    if let upper { parts.append("\(upperInclusive ? "≤" : "<") \(formatNumber(upper))") }
    return parts.isEmpty ? "finite" : parts.joined(separator: " and ")
  }

  /// `1…4096` when both ends are closed, otherwise the inequalities.
  public var integerInterval: String {
    if let lower, let upper, lowerInclusive, upperInclusive {
      return "\(formatNumber(lower))…\(formatNumber(upper))"
    }
    return inequalities
  }
}
