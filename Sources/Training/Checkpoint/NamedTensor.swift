/// A named F32 tensor with its shape, the unit a safetensors checkpoint stores.
public struct NamedTensor: Equatable, Sendable {
  public let name: String
  /// Dimensions, outermost first; `[]` is a scalar.
  public let shape: [Int]
  /// Row-major values; their count is the product of `shape`.
  public let values: [Float]

  public init(name: String, shape: [Int], values: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "tensor \(name) has a negative dimension in \(shape)")
    precondition(
      shape.reduce(1, *) == values.count,
      "tensor \(name) has shape \(shape) but \(values.count) values")
    self.name = name
    self.shape = shape
    self.values = values
  }

  /// A 2-D tensor holding `matrix`, e.g. a dense weight stored `[out, in]`.
  public init(name: String, matrix: Matrix) {
    self.init(name: name, shape: [matrix.rows, matrix.cols], values: matrix.storage)
  }
}
