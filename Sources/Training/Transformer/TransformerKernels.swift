import Foundation

/// Where the parameters live during one forward or backward: the store's flat buffers, addressed
/// by tensor offset. `gradients` is nil in a forward pass.
struct ParameterPointers {
  let values: UnsafePointer<Float>
  let gradients: UnsafeMutablePointer<Float>?
  /// Where LoRA adapters accumulate their gradients (the same buffer): separate from `gradients`
  /// because a LoRA run trains the adapters while the base weights beside them get none.
  var adapterGradients: UnsafeMutablePointer<Float>? = nil
}

/// A linear map y = x·Wᵀ + b whose weight `[out, in]` and bias live in a `ParameterStore`.
struct LinearParameters {
  let weight: Int
  let bias: Int
  let inputSize: Int
  let outputSize: Int
  let weightOffset: Int
  let biasOffset: Int

  init(weight: Int, bias: Int, inputSize: Int, outputSize: Int, weightOffset: Int, biasOffset: Int) {
    self.weight = weight
    self.bias = bias
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.weightOffset = weightOffset
    self.biasOffset = biasOffset
  }

  init(store: ParameterStore, weight: Int, bias: Int) {
    self.weight = weight
    self.bias = bias
    weightOffset = store.tensors[weight].offset
    biasOffset = store.tensors[bias].offset
    outputSize = store.tensors[weight].shape[0]
    inputSize = store.tensors[weight].shape[1]
  }

  /// Allocates `<name>.weight` `[out, in]` and `<name>.bias` `[out]` in `group`.
  static func allocate(
    _ store: ParameterStore, name: String, group: String, inputSize: Int, outputSize: Int
  ) -> (weight: Int, bias: Int) {
    let weight = store.allocate(name: "\(name).weight", group: group, shape: [outputSize, inputSize])
    let bias = store.allocate(name: "\(name).bias", group: group, shape: [outputSize])
    return (weight, bias)
  }

  /// y[rows, out] = x[rows, in]·Wᵀ + b.
  func forward(rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ p: ParameterPointers)
  {
    guard rows > 0 else { return }
    // The bias is added in the GEMM's store, so y is written once and never read back.
    gemm(
      transposeA: false, transposeB: true, m: rows, n: outputSize, k: inputSize, alpha: 1,
      a: x, lda: inputSize, b: p.values + weightOffset, ldb: inputSize, beta: 0, c: y, ldc: outputSize,
      columnBias: p.values + biasOffset, threading: .automatic, kernel: .automatic)
  }

  /// dW += dyᵀ·x and db += Σ dy (when `gradients` is given), and dx = dy·W (+ dx when `accumulate`).
  func backward(
    rows: Int, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
    inputGradient dx: UnsafeMutablePointer<Float>?, accumulate: Bool = false, _ p: ParameterPointers
  ) {
    guard rows > 0 else { return }
    if let grads = p.gradients {
      gemm(
        transposeA: true, transposeB: false, m: outputSize, n: inputSize, k: rows, alpha: 1,
        a: dy, lda: outputSize, b: x, ldb: inputSize, beta: 1, c: grads + weightOffset, ldc: inputSize)
      Elementwise.addColumnSums(rows: rows, cols: outputSize, dy, into: grads + biasOffset)
    }
    if let dx {
      gemm(
        transposeA: false, transposeB: false, m: rows, n: inputSize, k: outputSize, alpha: 1,
        a: dy, lda: outputSize, b: p.values + weightOffset, ldb: inputSize, beta: accumulate ? 1 : 0,
        c: dx, ldc: inputSize)
    }
  }
}

/// Layer normalisation over rows with a gain and bias in the store (BERT's `LayerNorm`, whose ε
/// comes from `layer_norm_eps`). Forward keeps x̂ and 1/σ per row for backward.
struct LayerNormParameters {
  let gain: Int
  let bias: Int
  let features: Int
  let epsilon: Float
  let gainOffset: Int
  let biasOffset: Int

  init(store: ParameterStore, name: String, group: String, features: Int, epsilon: Float) {
    gain = store.allocate(name: "\(name).weight", group: group, shape: [features])
    bias = store.allocate(name: "\(name).bias", group: group, shape: [features])
    store.setValues([Float](repeating: 1, count: features), of: gain)
    self.features = features
    self.epsilon = epsilon
    gainOffset = store.tensors[gain].offset
    biasOffset = store.tensors[bias].offset
  }

  /// y = γ·x̂ + β with x̂ = (x - μ)/√(σ² + ε); x̂ may be written over x.
  func forward(
    rows: Int, _ x: UnsafePointer<Float>, normalized xhat: UnsafeMutablePointer<Float>,
    reciprocalStd rstd: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ p: ParameterPointers
  ) {
    EncoderKernels.layerNormForward(
      rows: rows, features: features, x, gamma: p.values + gainOffset, beta: p.values + biasOffset,
      epsilon: epsilon, normalized: xhat, reciprocalStd: rstd, y)
  }

  /// dγ += Σ dy·x̂, dβ += Σ dy (when `gradients` is given) and dx = rstd·(ĝ - mean ĝ - x̂·mean(ĝ·x̂)).
  func backward(
    rows: Int, outputGradient dy: UnsafePointer<Float>, normalized xhat: UnsafePointer<Float>,
    reciprocalStd rstd: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>,
    _ p: ParameterPointers
  ) {
    EncoderKernels.layerNormBackward(
      rows: rows, features: features, outputGradient: dy, normalized: xhat, reciprocalStd: rstd,
      gamma: p.values + gainOffset, gainGradient: p.gradients.map { $0 + gainOffset },
      biasGradient: p.gradients.map { $0 + biasOffset }, inputGradient: dx)
  }
}

/// Inverted dropout over a buffer, with a byte keep-mask for backward and its own generator
/// (saved in checkpoints for bit-identical resumption). Draws compare 24 random bits with the
/// rate, exactly as `Dropout` does.
final class DropoutMask {
  var rate: Float
  var rng: SplitMix64
  private let mask = ByteBuffer()
  /// False after an evaluation or zero-rate forward, whose backward is the identity.
  private(set) var active = false

  init(rate: Float, seed: UInt64) {
    self.rate = rate
    rng = SplitMix64(seed: seed)
  }

  var keepScale: Float { rate < 1 ? 1 / (1 - rate) : 0 }
  var threshold: UInt64 { UInt64((min(rate, 1) * 16_777_216).rounded(.up)) }

  /// Drops values of `x` in place when training with a positive rate.
  func forward(count: Int, _ x: UnsafeMutablePointer<Float>, training: Bool) {
    active = training && rate > 0
    guard active else { return }
    EncoderKernels.dropoutForward(
      count: count, x, x, mask: mask.reserve(count), rng: &rng, threshold: threshold, scale: keepScale)
  }

  /// dx = dy·mask (dx may be dy); a copy when the forward dropped nothing.
  func backward(count: Int, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
    guard active else {
      if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
      return
    }
    EncoderKernels.dropoutApply(count: count, dy, mask: mask.pointer, scale: keepScale, dx)
  }
}

/// Draws the initial weights of a fresh encoder the way Hugging Face's `_init_weights` does:
/// N(0, 0.02) for weights and embeddings, zero biases (LayerNorms stay at unit gain, zero bias).
func fillNormal(_ store: ParameterStore, tensor: Int, std: Float, rng: inout SplitMix64) {
  let count = store.tensors[tensor].count
  store.setValues((0..<count).map { _ in rng.nextGaussian() * std }, of: tensor)
}
