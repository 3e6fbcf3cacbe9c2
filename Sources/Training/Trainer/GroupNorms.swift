/// Each layer group's gradient norm at one step, by group name in the model's order.
///
/// A step event is published at every step, so it must not allocate: the first eight norms are held
/// inline and the names are the model's own array, shared rather than copied. A model with more than
/// eight groups keeps the rest in an array, which does allocate.
public struct GroupNorms: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
  public private(set) var names: [String]
  private var inline = SIMD8<Double>()
  private var overflow: [Double] = []

  /// Norms for `names`, all zero.
  public init(names: [String] = []) {
    self.names = names
    if names.count > 8 { overflow = Array(repeating: 0, count: names.count - 8) }
  }

  public init(dictionaryLiteral elements: (String, Double)...) {
    self.init(names: elements.map(\.0))
    for (index, element) in elements.enumerated() { self[index] = element.1 }
  }

  public var count: Int { names.count }
  public var isEmpty: Bool { names.isEmpty }

  /// The norm of the group at `index` in `names`.
  public subscript(index: Int) -> Double {
    get { index < 8 ? inline[index] : overflow[index - 8] }
    set {
      if index < 8 { inline[index] = newValue } else { overflow[index - 8] = newValue }
    }
  }

  /// The norm of the group called `name`, or nil when the model has no such group.
  public subscript(name: String) -> Double? {
    names.firstIndex(of: name).map { self[$0] }
  }

  /// Walks the groups in order without boxing, so the trainer can sum norms per step for free.
  public struct Iterator: IteratorProtocol {
    let norms: GroupNorms
    var index = 0

    public mutating func next() -> (name: String, norm: Double)? {
      guard index < norms.count else { return nil }
      defer { index += 1 }
      return (norms.names[index], norms[index])
    }
  }

  public func makeIterator() -> Iterator { Iterator(norms: self) }

  public static func == (lhs: GroupNorms, rhs: GroupNorms) -> Bool {
    lhs.names == rhs.names && lhs.names.indices.allSatisfy { lhs[$0] == rhs[$0] }
  }
}
