import Foundation

/// The Gaussian error linear unit in its exact form, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): Hugging Face's
/// `hidden_act: "gelu"`, which BERT checkpoints are trained with (`GELU` is the tanh approximation).
public final class ExactGELU: Layer {
  public var parameterIndices: [Int] { [] }

  private var cachedInput = Matrix(rows: 0, cols: 0)
  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init() {}

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    cachedInput = input
    output.reshape(rows: input.rows, cols: input.cols)
    input.storage.withUnsafeBufferPointer { x in
      output.storage.withUnsafeMutableBufferPointer { y in
        ExactGELU.forward(count: x.count, x.baseAddress!, y.baseAddress!)
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.rows == cachedInput.rows && outputGradient.cols == cachedInput.cols)
    inputGradient.reshape(rows: cachedInput.rows, cols: cachedInput.cols)
    cachedInput.storage.withUnsafeBufferPointer { x in
      outputGradient.storage.withUnsafeBufferPointer { g in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          ExactGELU.backward(
            count: x.count, input: x.baseAddress!, outputGradient: g.baseAddress!, dx.baseAddress!)
        }
      }
    }
    return inputGradient
  }

  /// y = x·Φ(x) over `count` values.
  static func forward(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    EncoderKernels.geluForward(count: count, x, y)
  }

  /// dx = dy·(Φ(x) + x·φ(x)); `dx` may be `dy`.
  static func backward(
    count: Int, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>
  ) {
    EncoderKernels.geluBackward(count: count, input: x, outputGradient: dy, dx)
  }
}
