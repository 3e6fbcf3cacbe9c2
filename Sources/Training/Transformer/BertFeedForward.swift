/// One BERT block's feed-forward half (HF's `BertIntermediate` + `BertOutput`): dense to the
/// intermediate size, exact GELU, dense back, dropout, then residual + post-LayerNorm.
final class BertFeedForward {
  let config: BertConfig
  let group: String
  let intermediate: LinearParameters
  let outputDense: LinearParameters
  let norm: LayerNormParameters
  let dropout: DropoutMask
  /// LoRA adapters on the two dense projections (none in full fine-tuning).
  let lora = LoRAAdapterSet()

  private var rows = 0
  private var input: UnsafePointer<Float>?
  private let preActivation = FloatBuffer()
  private let activation = FloatBuffer()
  private let normalized = FloatBuffer()
  private let reciprocalStd = FloatBuffer()
  let output = FloatBuffer()
  private let sumGradient = FloatBuffer()
  private let denseGradient = FloatBuffer()
  private let activationGradient = FloatBuffer()
  let inputGradient = FloatBuffer()

  init(store: ParameterStore, config: BertConfig, layer: Int, group: String, dropoutSeed: UInt64) {
    self.config = config
    self.group = group
    let (h, i) = (config.hiddenSize, config.intermediateSize)
    let up = LinearParameters.allocate(
      store, name: "encoder.layer.\(layer).intermediate.dense", group: group, inputSize: h, outputSize: i)
    intermediate = LinearParameters(store: store, weight: up.weight, bias: up.bias)
    let down = LinearParameters.allocate(
      store, name: "encoder.layer.\(layer).output.dense", group: group, inputSize: i, outputSize: h)
    outputDense = LinearParameters(store: store, weight: down.weight, bias: down.bias)
    norm = LayerNormParameters(
      store: store, name: "encoder.layer.\(layer).output.LayerNorm", group: group, features: h,
      epsilon: config.layerNormEpsilon)
    dropout = DropoutMask(rate: config.hiddenDropout, seed: dropoutSeed)
  }

  func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, _ p: ParameterPointers)
    -> UnsafeMutablePointer<Float>
  {
    let (h, i) = (config.hiddenSize, config.intermediateSize)
    self.rows = rows
    input = x
    let pre = preActivation.reserve(rows * i)
    let act = activation.reserve(rows * i)
    intermediate.forward(rows: rows, x, pre, p)
    lora.forward(.intermediate, rows: rows, x, pre, outputStride: i, training: training, p)
    ExactGELU.forward(count: rows * i, pre, act)
    let sum = normalized.reserve(rows * h)
    outputDense.forward(rows: rows, act, sum, p)
    lora.forward(.output, rows: rows, act, sum, outputStride: h, training: training, p)
    dropout.forward(count: rows * h, sum, training: training)
    EncoderKernels.add(count: rows * h, x, into: sum)
    let y = output.reserve(rows * h)
    norm.forward(rows: rows, sum, normalized: sum, reciprocalStd: reciprocalStd.reserve(rows), y, p)
    return y
  }

  func backward(_ dy: UnsafePointer<Float>, needsInputGradient: Bool, _ p: ParameterPointers)
    -> UnsafeMutablePointer<Float>?
  {
    guard let x = input else { preconditionFailure("backward before forward") }
    let (h, i, rows) = (config.hiddenSize, config.intermediateSize, rows)
    let dsum = sumGradient.reserve(rows * h)
    norm.backward(
      rows: rows, outputGradient: dy, normalized: normalized.pointer, reciprocalStd: reciprocalStd.pointer,
      inputGradient: dsum, p)
    let ddense = denseGradient.reserve(rows * h)
    dropout.backward(count: rows * h, dsum, ddense)
    let dact = activationGradient.reserve(rows * i)
    outputDense.backward(
      rows: rows, input: activation.pointer, outputGradient: ddense, inputGradient: dact, p)
    lora.backward(.output, ddense, outputStride: h, inputGradient: dact, p)
    ExactGELU.backward(count: rows * i, input: preActivation.pointer, outputGradient: dact, dact)
    let dx = needsInputGradient ? inputGradient.reserve(rows * h) : nil
    if let dx { dx.update(from: dsum, count: rows * h) }
    intermediate.backward(rows: rows, input: x, outputGradient: dact, inputGradient: dx, accumulate: true, p)
    lora.backward(.intermediate, dact, outputStride: i, inputGradient: dx, p)
    return dx
  }
}
