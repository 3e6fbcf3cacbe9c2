import Foundation

/// The classes of a task: their names in index order, and how a label read from a file maps to one.
///
/// Integer labels keep their value as the index (`3` is class 3, named "3"), so the built-in digits
/// and older user files train exactly as before. Any other labels are class names, indexed in sorted
/// order as scikit-learn's `LabelEncoder` does, so the same file always gives the same indices.
public struct ClassLabels: Equatable, Hashable, Sendable, Codable {
  /// Name of each class, by index.
  public let names: [String]

  public init(names: [String]) {
    self.names = names
  }

  /// Classes named "0", "1", … "count-1": tasks whose labels are plain integers.
  public static func numbered(_ count: Int) -> ClassLabels {
    ClassLabels(names: (0..<count).map(String.init))
  }

  /// Integer labels at or above this are names: numbering them would make a head of millions of
  /// outputs, nearly all for classes that never occur.
  public static let maximumNumbered = 10_000

  /// The classes of raw labels as read from a file: numbered up to the largest when every label is
  /// a non-negative integer (`3` or `3.0`) below `maximumNumbered`, else the distinct names in
  /// sorted order.
  public static func infer(from labels: some Sequence<String>) -> ClassLabels {
    var distinct = Set<String>()
    var largest = -1
    var allIntegers = true
    for label in labels {
      distinct.insert(label)
      if allIntegers, let value = integerValue(label) {
        largest = max(largest, value)
      } else {
        allIntegers = false
      }
    }
    if allIntegers && largest < maximumNumbered { return numbered(largest + 1) }
    return ClassLabels(names: distinct.sorted())
  }

  public var count: Int { names.count }

  /// The index of a raw label, or nil when it is not one of these classes.
  public func index(of label: String) -> Int? {
    if let value = Self.integerValue(label), value < names.count, names[value] == String(value) {
      return value
    }
    return names.firstIndex(of: label)
  }

  /// `3`, `3.0` and ` 3 ` are the integer 3; `-1`, `3.5` and `three` are not integers.
  static func integerValue(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let value = Int(trimmed), value >= 0 { return value }
    if let value = Double(trimmed), value >= 0, value == value.rounded(), value < 1e9 { return Int(value) }
    return nil
  }
}
