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
///
/// A tensor can also be *fixed* on its own, whatever its group's state: LoRA fixes every base weight
/// while the adapters beside them in the same group train. Freezing is the user's per-group switch
/// (the dashboard's Space, `frozen`, gradual unfreezing); fixing is the fine-tuning method's, set
/// once when the model is built, and a fixed tensor never trains.
public final class ParameterStore {
  public private(set) var tensors: [ParameterTensor] = []
  public var values: [Float] = []
  public var gradients: [Float] = []
  /// Groups in model order, bottom (closest to the input) to top (`head`).
  public private(set) var groups: [String] = []
  private var frozenGroups: Set<String> = []
  /// Per tensor (indexed like `tensors`): true when the fine-tuning method keeps it fixed.
  public private(set) var fixed: [Bool] = []
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
    fixed.append(false)
    values.append(contentsOf: repeatElement(0, count: tensor.count))
    gradients.append(contentsOf: repeatElement(0, count: tensor.count))
    if !groups.contains(group) { groups.append(group) }
    return tensors.count - 1
  }

  public func index(of name: String) -> Int? { tensors.firstIndex { $0.name == name } }

  public func isTrainable(group: String) -> Bool { !frozenGroups.contains(group) }
  /// Whether tensor `index` gets gradients and updates: its group is not frozen and the tensor is
  /// not fixed.
  public func isTrainable(tensor index: Int) -> Bool {
    !fixed[index] && isTrainable(group: tensors[index].group)
  }

  /// Fixes (or releases) one tensor independently of its group's freeze state.
  public func setFixed(_ isFixed: Bool, tensor index: Int) { fixed[index] = isFixed }

  /// Whether any tensor of `group` can train once the group is unfrozen (false for a group whose
  /// tensors are all fixed, such as the embeddings of a LoRA run).
  public func hasTrainableTensors(group: String) -> Bool {
    tensors.indices.contains { tensors[$0].group == group && !fixed[$0] }
  }

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
    // Megabytes for an encoder (the embeddings alone are 47 MB for MiniLM): both threads write.
    gradients.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      TwoThreads.split(count: buffer.count, base) { base, range in
        (base + range.lowerBound).update(repeating: 0, count: range.count)
      }
    }
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
        for (index, tensor) in tensors.enumerated() {
          let squares = Elementwise.sumOfSquares(count: tensor.count, grad.baseAddress! + tensor.offset)
          // Groups are few (a handful), so a linear search beats hashing the name.
          let slot = groups.firstIndex(of: tensor.group)!
          sums[slot] += squares
          total += squares
          if isTrainable(tensor: index) { trainable += squares }
        }
      }
      for index in sums.indices { sums[index] = sums[index].squareRoot() }
    }
    return (total.squareRoot(), trainable.squareRoot())
  }

  /// Number of scalar parameters of a group that train when it is unfrozen: fixed tensors are left
  /// out, so a LoRA run's blocks count their adapters, which is what the Layers panel shows.
  public func parameterCount(group: String) -> Int {
    tensors.indices.lazy.filter { self.tensors[$0].group == group && !self.fixed[$0] }
      .reduce(0) { $0 + self.tensors[$1].count }
  }

  /// Number of scalar parameters of a group, fixed ones included.
  public func totalParameterCount(group: String) -> Int {
    tensors.lazy.filter { $0.group == group }.reduce(0) { $0 + $1.count }
  }
}
