/// Why saved optimizer state could not be restored.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
  case unknownTensor(String)
  case wrongCount(name: String, expected: Int, got: Int)
  case notKeptBy(OptimizerKind, name: String)
  case invalidStepCount(name: String, value: Float)

  public var description: String {
    switch self {
    case .unknownTensor(let name):
      "optimizer state \(name) names no parameter of this model"
    case .wrongCount(let name, let expected, let got):
      "optimizer state \(name) has \(got) values, expected \(expected)"
    case .notKeptBy(let kind, let name):
      "optimizer state \(name) cannot be restored into a \(kind.rawValue) optimizer"
    case .invalidStepCount(let name, let value):
      "optimizer state \(name) holds \(value), not a step count"
    }
  }
}

extension Optimizer {
  /// Prefix of every optimizer state tensor, so they can share a checkpoint with the parameters.
  public static let statePrefix = "optim."

  /// The optimizer's state as named tensors for a checkpoint, using PyTorch's state names:
  /// `optim.momentum_buffer.<param>` (SGD with momentum), `optim.exp_avg.<param>` and
  /// `optim.exp_avg_sq.<param>` (Adam), and `optim.step.<param>` (one value).
  ///
  /// Tensors that have never been updated hold no state and are left out. The step count is stored
  /// as a Float to keep checkpoints single-dtype; that is exact up to 2^24 steps.
  public func stateTensors() -> [(name: String, values: [Float])] {
    var result: [(name: String, values: [Float])] = []
    for (index, tensor) in store.tensors.enumerated() where stepCounts[index] > 0 {
      result.append((Self.statePrefix + "step." + tensor.name, [Float(stepCounts[index])]))
      switch kind {
      case .sgd, .nesterov:
        if momentum != 0 {
          result.append(
            (Self.statePrefix + "momentum_buffer." + tensor.name, Array(firstMoment[tensor.range])))
        }
      case .adam, .adamw:
        result.append((Self.statePrefix + "exp_avg." + tensor.name, Array(firstMoment[tensor.range])))
        result.append(
          (Self.statePrefix + "exp_avg_sq." + tensor.name, Array(secondMoment[tensor.range])))
      }
    }
    return result
  }

  /// Replaces all state with `tensors` (as written by `stateTensors`). Entries without the `optim.`
  /// prefix are ignored, so a whole checkpoint can be passed; parameters with no saved state start
  /// fresh. On error the optimizer's state is left unchanged.
  public func restoreState(_ tensors: [(name: String, values: [Float])]) throws(OptimizerStateError) {
    var first = Array(repeating: Float(0), count: firstMoment.count)
    var second = Array(repeating: Float(0), count: secondMoment.count)
    var steps = Array(repeating: 0, count: stepCounts.count)
    for (name, values) in tensors where name.hasPrefix(Self.statePrefix) {
      let key = name.dropFirst(Self.statePrefix.count)
      guard let dot = key.firstIndex(of: "."),
        let index = store.index(of: String(key[key.index(after: dot)...]))
      else { throw .unknownTensor(name) }
      let tensor = store.tensors[index]
      let field = key[..<dot]
      let expected = field == "step" ? 1 : tensor.count
      guard values.count == expected else {
        throw .wrongCount(name: name, expected: expected, got: values.count)
      }
      switch (field, kind.usesSecondMoment) {
      case ("step", _):
        guard let count = Int(exactly: values[0]), count >= 0 else {
          throw .invalidStepCount(name: name, value: values[0])
        }
        steps[index] = count
      case ("momentum_buffer", false), ("exp_avg", true):
        first.replaceSubrange(tensor.range, with: values)
      case ("exp_avg_sq", true):
        second.replaceSubrange(tensor.range, with: values)
      default:
        throw .notKeptBy(kind, name: name)
      }
    }
    firstMoment = first
    secondMoment = second
    stepCounts = steps
  }
}
