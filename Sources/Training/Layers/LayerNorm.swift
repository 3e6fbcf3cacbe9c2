/// Layer normalisation over the feature dimension of each row, y = γ·(x - μ)/√(σ² + ε) + β.
///
/// The gain γ and bias β live in the store as `<group>.norm.weight` and `<group>.norm.bias`, the
/// names a Hugging Face checkpoint would use after a group rename.
public final class LayerNorm: Layer {
  public let store: ParameterStore
  public let group: String
  public let features: Int
  public let epsilon: Float = 1e-5
  public let gainIndex: Int
  public let biasIndex: Int
  public var parameterIndices: [Int] { [gainIndex, biasIndex] }

  /// (x - μ)·rstd per value, and rstd = 1/√(σ² + ε) per row: all that backward needs.
  private var normalized = Matrix(rows: 0, cols: 0)
  private var reciprocalStd: [Float] = []
  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init(store: ParameterStore, group: String, features: Int) {
    precondition(features > 0, "layer norm needs at least one feature")
    self.store = store
    self.group = group
    self.features = features
    gainIndex = store.allocate(name: "\(group).norm.weight", group: group, shape: [features])
    biasIndex = store.allocate(name: "\(group).norm.bias", group: group, shape: [features])
    reinitialize()
  }

  /// Resets to the identity transform: unit gain, zero bias.
  public func reinitialize() {
    store.setValues([Float](repeating: 1, count: features), of: gainIndex)
    store.setValues([Float](repeating: 0, count: features), of: biasIndex)
  }

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    precondition(input.cols == features, "\(group): input has \(input.cols) features, expected \(features)")
    let (batch, features, epsilon) = (input.rows, self.features, self.epsilon)
    normalized.reshape(rows: batch, cols: features)
    output.reshape(rows: batch, cols: features)
    if reciprocalStd.count > batch {
      reciprocalStd.removeLast(reciprocalStd.count - batch)
    } else if reciprocalStd.count < batch {
      reciprocalStd.append(contentsOf: repeatElement(0, count: batch - reciprocalStd.count))
    }
    let gainOffset = store.tensors[gainIndex].offset
    let biasOffset = store.tensors[biasIndex].offset
    input.storage.withUnsafeBufferPointer { x in
      store.values.withUnsafeBufferPointer { values in
        normalized.storage.withUnsafeMutableBufferPointer { xhat in
          output.storage.withUnsafeMutableBufferPointer { y in
            for row in 0..<batch {
              let base = row * features
              var sum: Float = 0
              for j in 0..<features { sum += x[base + j] }
              let mean = sum / Float(features)
              var squares: Float = 0
              for j in 0..<features {
                let d = x[base + j] - mean
                squares += d * d
              }
              let rstd = 1 / (squares / Float(features) + epsilon).squareRoot()
              reciprocalStd[row] = rstd
              for j in 0..<features {
                let n = (x[base + j] - mean) * rstd
                xhat[base + j] = n
                y[base + j] = n * values[gainOffset + j] + values[biasOffset + j]
              }
            }
          }
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    let (batch, features) = (normalized.rows, self.features)
    precondition(outputGradient.rows == batch && outputGradient.cols == features)
    let gainOffset = store.tensors[gainIndex].offset
    let biasOffset = store.tensors[biasIndex].offset
    if store.isTrainable(group: group) {
      outputGradient.storage.withUnsafeBufferPointer { g in
        normalized.storage.withUnsafeBufferPointer { xhat in
          store.gradients.withUnsafeMutableBufferPointer { grads in
            for row in 0..<batch {
              let base = row * features
              for j in 0..<features {
                grads[gainOffset + j] += g[base + j] * xhat[base + j]
                grads[biasOffset + j] += g[base + j]
              }
            }
          }
        }
      }
    }
    guard needsInputGradient else { return nil }
    inputGradient.reshape(rows: batch, cols: features)
    outputGradient.storage.withUnsafeBufferPointer { g in
      normalized.storage.withUnsafeBufferPointer { xhat in
        store.values.withUnsafeBufferPointer { values in
          inputGradient.storage.withUnsafeMutableBufferPointer { dx in
            for row in 0..<batch {
              let base = row * features
              // With ĝ = g·γ: dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)), the mean and variance terms.
              var meanScaled: Float = 0
              var meanScaledNormalized: Float = 0
              for j in 0..<features {
                let scaled = g[base + j] * values[gainOffset + j]
                meanScaled += scaled
                meanScaledNormalized += scaled * xhat[base + j]
              }
              meanScaled /= Float(features)
              meanScaledNormalized /= Float(features)
              let rstd = reciprocalStd[row]
              for j in 0..<features {
                let scaled = g[base + j] * values[gainOffset + j]
                dx[base + j] = rstd * (scaled - meanScaled - xhat[base + j] * meanScaledNormalized)
              }
            }
          }
        }
      }
    }
    return inputGradient
  }
}
