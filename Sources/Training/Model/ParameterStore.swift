/// One parameter tensor's place in the flat buffers of a `ParameterStore`.
public struct ParameterTensor: Sendable, Equatable {
  /// Full name as written in checkpoints, e.g. `hidden1.weight`.
  public let name: String
  /// The layer group this tensor belongs to (`hidden1`, …, `head`): the unit of freezing.
  public let group: String
  /// Shape as stored; a dense weight is `[out, in]`, as in PyTorch.
  public let shape: [Int]
  /// First element in the flat buffers.
  public let offset: Int
  public var count: Int { shape.reduce(1, *) }
  public var range: Range<Int> { offset..<(offset + count) }
}

/// All parameters of a model in one flat buffer, with their gradients in a second one of the same
/// layout, as llm.c lays them out.
///
/// Layers address their tensors by index into `tensors`. Optimizers walk the same layout, so moment
/// buffers are flat too. A frozen group is marked here, and every consumer (backward, optimizer,
/// clipping) asks `isTrainable` rather than keeping its own copy of the freeze state.
public final class ParameterStore {
  public private(set) var tensors: [ParameterTensor] = []
  public var values: [Float] = []
  public var gradients: [Float] = []
  /// Groups in model order, bottom (closest to the input) to top (`head`).
  public private(set) var groups: [String] = []
  private var frozenGroups: Set<String> = []
  /// LR multiplier per group (discriminative fine-tuning); absent means 1.
  public var learningRateMultipliers: [String: Float] = [:]

  public init() {}

  public var count: Int { values.count }

  /// Adds a tensor of `shape` to `group`, filled with zeros, and returns its index in `tensors`.
  @discardableResult
  public func allocate(name: String, group: String, shape: [Int]) -> Int {
    precondition(!tensors.contains { $0.name == name }, "duplicate parameter name \(name)")
    let tensor = ParameterTensor(name: name, group: group, shape: shape, offset: values.count)
    tensors.append(tensor)
    values.append(contentsOf: repeatElement(0, count: tensor.count))
    gradients.append(contentsOf: repeatElement(0, count: tensor.count))
    if !groups.contains(group) { groups.append(group) }
    return tensors.count - 1
  }

  public func index(of name: String) -> Int? { tensors.firstIndex { $0.name == name } }

  public func isTrainable(group: String) -> Bool { !frozenGroups.contains(group) }
  public func isTrainable(tensor index: Int) -> Bool { isTrainable(group: tensors[index].group) }

  public func setFrozen(_ frozen: Bool, group: String) {
    precondition(groups.contains(group), "unknown layer group \(group)")
    if frozen { frozenGroups.insert(group) } else { frozenGroups.remove(group) }
  }

  public var frozen: Set<String> { frozenGroups }

  public func learningRateMultiplier(group: String) -> Float { learningRateMultipliers[group] ?? 1 }

  /// A copy of one tensor's values.
  public func values(of index: Int) -> [Float] { Array(values[tensors[index].range]) }

  public func setValues(_ newValues: [Float], of index: Int) {
    let tensor = tensors[index]
    precondition(
      newValues.count == tensor.count, "\(tensor.name): \(newValues.count) values for \(tensor.count)")
    values.replaceSubrange(tensor.range, with: newValues)
  }

  public func zeroGradients() {
    gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
  }

  /// Euclidean norm of the gradients of one group.
  public func gradientNorm(group: String) -> Float {
    var sum: Double = 0
    gradients.withUnsafeBufferPointer { grad in
      for tensor in tensors where tensor.group == group {
        sum += Elementwise.sumOfSquares(count: tensor.count, grad.baseAddress! + tensor.offset)
      }
    }
    return Float(sum.squareRoot())
  }

  /// The gradient norm of every group (in `groups` order) written into `norms`, and the global norm
  /// over trainable groups, in one pass over the gradients. `norms` is resized only when its count
  /// differs, so a caller that keeps it allocates nothing per step.
  public func gradientNorms(into norms: inout [Double]) -> (global: Double, trainable: Double) {
    if norms.count != groups.count { norms = Array(repeating: 0, count: groups.count) }
    var total: Double = 0
    var trainable: Double = 0
    norms.withUnsafeMutableBufferPointer { sums in
      for index in sums.indices { sums[index] = 0 }
      gradients.withUnsafeBufferPointer { grad in
        for tensor in tensors {
          let squares = Elementwise.sumOfSquares(count: tensor.count, grad.baseAddress! + tensor.offset)
          // Groups are few (a handful), so a linear search beats hashing the name.
          let slot = groups.firstIndex(of: tensor.group)!
          sums[slot] += squares
          total += squares
          if isTrainable(group: tensor.group) { trainable += squares }
        }
      }
      for index in sums.indices { sums[index] = sums[index].squareRoot() }
    }
    return (total.squareRoot(), trainable.squareRoot())
  }

  /// Number of scalar parameters in a group.
  public func parameterCount(group: String) -> Int {
    tensors.lazy.filter { $0.group == group }.reduce(0) { $0 + $1.count }
  }
}
