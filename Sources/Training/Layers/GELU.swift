import Foundation

/// The Gaussian error linear unit in its tanh approximation (as in GPT-2 and BERT):
/// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
public final class GELU: Layer {
  public var parameterIndices: [Int] { [] }

  private static let scale: Float = 0.797_884_56  // √(2/π)
  private static let cubic: Float = 0.044_715

  private var cachedInput = Matrix(rows: 0, cols: 0)
  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init() {}

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    cachedInput = input
    output.reshape(rows: input.rows, cols: input.cols)
    let (scale, cubic) = (Self.scale, Self.cubic)
    input.storage.withUnsafeBufferPointer { x in
      output.storage.withUnsafeMutableBufferPointer { y in
        for i in 0..<x.count {
          let v = x[i]
          y[i] = 0.5 * v * (1 + tanh(scale * (v + cubic * v * v * v)))
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.rows == cachedInput.rows && outputGradient.cols == cachedInput.cols)
    inputGradient.reshape(rows: cachedInput.rows, cols: cachedInput.cols)
    let (scale, cubic) = (Self.scale, Self.cubic)
    cachedInput.storage.withUnsafeBufferPointer { x in
      outputGradient.storage.withUnsafeBufferPointer { g in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          for i in 0..<x.count {
            let v = x[i]
            let t = tanh(scale * (v + cubic * v * v * v))
            let slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * scale * (1 + 3 * cubic * v * v)
            dx[i] = g[i] * slope
          }
        }
      }
    }
    return inputGradient
  }
}
