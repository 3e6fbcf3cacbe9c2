/// The rectifier max(0, x), the activation of every hidden group of the MLP.
public final class ReLU: Layer {
  public var parameterIndices: [Int] { [] }

  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init() {}

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    output.reshape(rows: input.rows, cols: input.cols)
    input.storage.withUnsafeBufferPointer { x in
      output.storage.withUnsafeMutableBufferPointer { y in
        Elementwise.reluForward(count: x.count, x.baseAddress!, y.baseAddress!)
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.rows == output.rows && outputGradient.cols == output.cols)
    inputGradient.reshape(rows: output.rows, cols: output.cols)
    // The cached output is positive exactly where the input was, so it doubles as the mask.
    output.storage.withUnsafeBufferPointer { y in
      outputGradient.storage.withUnsafeBufferPointer { g in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          Elementwise.reluBackward(
            count: y.count, output: y.baseAddress!, gradient: g.baseAddress!, dx.baseAddress!)
        }
      }
    }
    return inputGradient
  }
}
