/// A fully connected layer, y = x·Wᵀ + b, with W stored `[out, in]` as PyTorch stores it.
///
/// The weight and bias live in the model's `ParameterStore` (as `<group>.weight` and
/// `<group>.bias`), so products read and write the flat buffers in place instead of copying the
/// weight into a `Matrix` every step.
public final class Dense: Layer {
  /// How a fresh weight is drawn; biases always start at zero.
  public enum Initialization: Sendable {
    /// U(±√(6/fan_in)): keeps activation variance through ReLU layers (He et al. 2015).
    case heUniform
    /// N(0, 2/fan_in): the normal form of the same rule.
    case heNormal
    /// U(±√(6/(fan_in+fan_out))): for a layer not followed by a ReLU, such as the head.
    case xavierUniform
  }

  public let store: ParameterStore
  public let group: String
  public let inputSize: Int
  public let outputSize: Int
  public let weightIndex: Int
  public let biasIndex: Int
  public let initialization: Initialization
  public var parameterIndices: [Int] { [weightIndex, biasIndex] }

  /// The input of the last forward, held (not copied) for `backward`. `MLP` lets go of it once its
  /// backward is done: the input is the previous layer's output buffer (or the trainer's batch),
  /// and a second reference held into the next step would make that buffer copy itself on its next
  /// write, an allocation every step.
  private var cachedInput = Matrix(rows: 0, cols: 0)
  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init(
    store: ParameterStore, group: String, inputSize: Int, outputSize: Int,
    initialization: Initialization = .heUniform, rng: inout SplitMix64
  ) {
    precondition(inputSize > 0 && outputSize > 0, "dense layer needs positive sizes")
    self.store = store
    self.group = group
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.initialization = initialization
    weightIndex = store.allocate(name: "\(group).weight", group: group, shape: [outputSize, inputSize])
    biasIndex = store.allocate(name: "\(group).bias", group: group, shape: [outputSize])
    reinitialize(rng: &rng)
  }

  /// Draws a fresh weight and zeroes the bias.
  public func reinitialize(rng: inout SplitMix64) {
    let fanIn = Float(inputSize)
    let weights: [Float]
    switch initialization {
    case .heUniform:
      let bound = (6 / fanIn).squareRoot()
      weights = (0..<(inputSize * outputSize)).map { _ in (2 * rng.nextUnitFloat() - 1) * bound }
    case .heNormal:
      let std = (2 / fanIn).squareRoot()
      weights = (0..<(inputSize * outputSize)).map { _ in rng.nextGaussian() * std }
    case .xavierUniform:
      let bound = (6 / (fanIn + Float(outputSize))).squareRoot()
      weights = (0..<(inputSize * outputSize)).map { _ in (2 * rng.nextUnitFloat() - 1) * bound }
    }
    store.setValues(weights, of: weightIndex)
    store.setValues([Float](repeating: 0, count: outputSize), of: biasIndex)
  }

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    precondition(input.cols == inputSize, "\(group): input has \(input.cols) features, expected \(inputSize)")
    cachedInput = input
    let batch = input.rows
    output.reshape(rows: batch, cols: outputSize)
    guard batch > 0 else { return output }
    let weightOffset = store.tensors[weightIndex].offset
    let biasOffset = store.tensors[biasIndex].offset
    let (inputSize, outputSize) = (self.inputSize, self.outputSize)
    input.storage.withUnsafeBufferPointer { x in
      store.values.withUnsafeBufferPointer { values in
        output.storage.withUnsafeMutableBufferPointer { y in
          let bias = values.baseAddress! + biasOffset
          // Broadcasting the bias first lets the product accumulate onto it (beta 1) in one pass.
          for row in 0..<batch {
            (y.baseAddress! + row * outputSize).update(from: bias, count: outputSize)
          }
          gemm(
            transposeA: false, transposeB: true, m: batch, n: outputSize, k: inputSize, alpha: 1,
            a: x.baseAddress!, lda: inputSize, b: values.baseAddress! + weightOffset, ldb: inputSize,
            beta: 1, c: y.baseAddress!, ldc: outputSize)
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    let batch = cachedInput.rows
    precondition(
      outputGradient.rows == batch && outputGradient.cols == outputSize,
      "\(group): output gradient is \(outputGradient.rows)×\(outputGradient.cols), expected \(batch)×\(outputSize)"
    )
    let weightOffset = store.tensors[weightIndex].offset
    let biasOffset = store.tensors[biasIndex].offset
    let (inputSize, outputSize) = (self.inputSize, self.outputSize)
    if batch > 0 && store.isTrainable(group: group) {
      outputGradient.storage.withUnsafeBufferPointer { g in
        cachedInput.storage.withUnsafeBufferPointer { x in
          store.gradients.withUnsafeMutableBufferPointer { grads in
            // dW += gᵀ·x, accumulated (beta 1) because callers zero gradients once per step.
            gemm(
              transposeA: true, transposeB: false, m: outputSize, n: inputSize, k: batch, alpha: 1,
              a: g.baseAddress!, lda: outputSize, b: x.baseAddress!, ldb: inputSize,
              beta: 1, c: grads.baseAddress! + weightOffset, ldc: inputSize)
            Elementwise.addColumnSums(
              rows: batch, cols: outputSize, g.baseAddress!, into: grads.baseAddress! + biasOffset)
          }
        }
      }
    }
    guard needsInputGradient else { return nil }
    inputGradient.reshape(rows: batch, cols: inputSize)
    guard batch > 0 else { return inputGradient }
    outputGradient.storage.withUnsafeBufferPointer { g in
      store.values.withUnsafeBufferPointer { values in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          gemm(
            transposeA: false, transposeB: false, m: batch, n: inputSize, k: outputSize, alpha: 1,
            a: g.baseAddress!, lda: outputSize, b: values.baseAddress! + weightOffset, ldb: inputSize,
            beta: 0, c: dx.baseAddress!, ldc: inputSize)
        }
      }
    }
    return inputGradient
  }

  /// Drops the reference to the last input; a `backward` after this one needs a new `forward`.
  func releaseCachedInput() {
    cachedInput = Matrix(rows: 0, cols: 0)
  }
}
