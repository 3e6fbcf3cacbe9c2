import Foundation

/// A checkpoint that does not fit the model it is loaded into; names the file and the tensor.
public struct CheckpointMismatchError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var message: String
  public var description: String { "\(path): \(message)" }
}

/// The layer sizes of an MLP, as read back from the shapes in a checkpoint.
public struct MLPArchitecture: Equatable, Sendable {
  public var inputSize: Int
  public var hiddenSizes: [Int]
  public var classes: Int

  /// Reads `hidden1.weight`, `hidden2.weight`, …, `head.weight` ([out, in] each) and checks they chain.
  public init(checkpoint: SafeTensorsFile, path: String) throws {
    try ModelCheckpointFormat.check(checkpoint, path: path, kind: "mlp")
    func weight(_ group: String) -> NamedTensor? { checkpoint["\(group).weight"] }
    var hidden: [Int] = []
    var input: Int?
    var previous: Int?
    var index = 1
    while let tensor = weight("hidden\(index)") {
      guard tensor.shape.count == 2 else {
        throw CheckpointMismatchError(
          path: path, message: "hidden\(index).weight must be 2-D [out, in], file has shape \(tensor.shape)")
      }
      if let previous, tensor.shape[1] != previous {
        throw CheckpointMismatchError(
          path: path,
          message:
            "hidden\(index).weight takes \(tensor.shape[1]) inputs but hidden\(index - 1) gives \(previous)")
      }
      if input == nil { input = tensor.shape[1] }
      hidden.append(tensor.shape[0])
      previous = tensor.shape[0]
      index += 1
    }
    guard let head = weight("head"), head.shape.count == 2 else {
      throw CheckpointMismatchError(
        path: path, message: "no 2-D tensor head.weight; a tunetop model has hidden1…hiddenN and head")
    }
    if let previous, head.shape[1] != previous {
      throw CheckpointMismatchError(
        path: path,
        message: "head.weight takes \(head.shape[1]) inputs but hidden\(index - 1) gives \(previous)")
    }
    inputSize = input ?? head.shape[1]
    hiddenSizes = hidden
    classes = head.shape[0]
  }

  public init(inputSize: Int, hiddenSizes: [Int], classes: Int) {
    self.inputSize = inputSize
    self.hiddenSizes = hiddenSizes
    self.classes = classes
  }
}

/// Checkpoints of any model whose tensors are named in its store as they are in the file: the MLP's
/// and (by keeping Hugging Face's names) an encoder's. A model with other names overrides both.
extension FineTunableModel {
  public func checkpointTensors() -> [NamedTensor] {
    store.tensors.indices.map { index in
      let tensor = store.tensors[index]
      return NamedTensor(name: tensor.name, shape: tensor.shape, values: store.values(of: index))
    }
  }

  public func load(_ checkpoint: SafeTensorsFile, path: String, skipping: Set<String>) throws {
    try ModelCheckpointFormat.check(checkpoint, path: path, kind: kind)
    for index in store.tensors.indices {
      let expected = store.tensors[index]
      if skipping.contains(expected.group) { continue }
      guard let found = checkpoint[expected.name] else {
        throw CheckpointMismatchError(path: path, message: "\(expected.name) is missing")
      }
      guard found.shape == expected.shape else {
        throw CheckpointMismatchError(
          path: path,
          message:
            "\(expected.name): expected \(ParameterTensor.shapeText(expected.shape)), file has \(ParameterTensor.shapeText(found.shape))"
        )
      }
      store.setValues(found.values, of: index)
    }
  }

}

extension ParameterTensor {
  /// A shape as `64×128`, for messages.
  static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
}
