import Foundation

/// The hyperbolic tangent activation.
public final class Tanh: Layer {
  public var parameterIndices: [Int] { [] }

  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init() {}

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    output.reshape(rows: input.rows, cols: input.cols)
    input.storage.withUnsafeBufferPointer { x in
      output.storage.withUnsafeMutableBufferPointer { y in
        for i in 0..<x.count { y[i] = tanh(x[i]) }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.rows == output.rows && outputGradient.cols == output.cols)
    inputGradient.reshape(rows: output.rows, cols: output.cols)
    // tanh' = 1 - tanh², so the cached output is all backward needs.
    output.storage.withUnsafeBufferPointer { y in
      outputGradient.storage.withUnsafeBufferPointer { g in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          for i in 0..<y.count { dx[i] = g[i] * (1 - y[i] * y[i]) }
        }
      }
    }
    return inputGradient
  }
}
