import Foundation

/// One BERT block's attention half (HF's `BertAttention`): multi-head self-attention with the
/// padding mask, the output projection, dropout, then residual + post-LayerNorm.
///
/// Query, key and value weights sit next to each other in the store (then their biases), so the
/// three projections are one `[3H, H]` product. Scores are computed per (sequence, head) with the
/// fast GEMM reading Q, K and V in place through strides, and only over the sequence's real keys:
/// padding keys are never multiplied, their probabilities are exact zeros. Every buffer is kept
/// across steps; nothing is allocated per step once the longest batch has been seen.
final class BertAttention {
  let config: BertConfig
  let group: String
  let query: Int, key: Int, value: Int
  let queryKeyValue: LinearParameters
  let outputProjection: LinearParameters
  let norm: LayerNormParameters
  let probabilityDropout: DropoutMask
  let outputDropout: DropoutMask
  /// LoRA adapters on query, key, value and the output projection (none in full fine-tuning).
  let lora = LoRAAdapterSet()

  private var lengths: [Int] = []
  private var rows = 0
  private var sequences = 0
  private var length = 0
  private var input: UnsafePointer<Float>?
  private let qkv = FloatBuffer()
  /// Softmax outputs (before dropout) per sequence and head, `[L, L]` each, row stride L.
  private let probabilities = FloatBuffer()
  private let probabilityMask = ByteBuffer()
  private var probabilityMaskActive = false
  /// The first sequence of the second thread's share of the attention core.
  private var split = 0
  /// The probability dropout's generator before this forward's draws.
  private var dropoutStart = SplitMix64(seed: 0)
  private let context = FloatBuffer()
  private let normalized = FloatBuffer()
  private let reciprocalStd = FloatBuffer()
  let output = FloatBuffer()
  // Backward workspaces.
  private let sumGradient = FloatBuffer()
  private let projectionGradient = FloatBuffer()
  private let contextGradient = FloatBuffer()
  private let qkvGradient = FloatBuffer()
  private let scratch = FloatBuffer()
  private let scratchGradient = FloatBuffer()
  let inputGradient = FloatBuffer()

  init(store: ParameterStore, config: BertConfig, layer: Int, group: String, dropoutSeeds: (UInt64, UInt64)) {
    self.config = config
    self.group = group
    let h = config.hiddenSize
    let prefix = "encoder.layer.\(layer).attention"
    query = store.allocate(name: "\(prefix).self.query.weight", group: group, shape: [h, h])
    key = store.allocate(name: "\(prefix).self.key.weight", group: group, shape: [h, h])
    value = store.allocate(name: "\(prefix).self.value.weight", group: group, shape: [h, h])
    let queryBias = store.allocate(name: "\(prefix).self.query.bias", group: group, shape: [h])
    store.allocate(name: "\(prefix).self.key.bias", group: group, shape: [h])
    store.allocate(name: "\(prefix).self.value.bias", group: group, shape: [h])
    // The fused view: rows 0..<H are the query weight, H..<2H key, 2H..<3H value.
    queryKeyValue = LinearParameters(
      weight: query, bias: queryBias, inputSize: h, outputSize: 3 * h,
      weightOffset: store.tensors[query].offset, biasOffset: store.tensors[queryBias].offset)
    let projection = LinearParameters.allocate(
      store, name: "\(prefix).output.dense", group: group, inputSize: h, outputSize: h)
    outputProjection = LinearParameters(store: store, weight: projection.weight, bias: projection.bias)
    norm = LayerNormParameters(
      store: store, name: "\(prefix).output.LayerNorm", group: group, features: h,
      epsilon: config.layerNormEpsilon)
    probabilityDropout = DropoutMask(rate: config.attentionDropout, seed: dropoutSeeds.0)
    outputDropout = DropoutMask(rate: config.hiddenDropout, seed: dropoutSeeds.1)
  }

  var weightIndices: [Int] { [query, key, value, outputProjection.weight] }

  /// Attends over `x` (`[count·length, hidden]`, kept until backward) and returns the block output.
  func forward(
    _ x: UnsafePointer<Float>, lengths: [Int], length: Int, training: Bool, _ p: ParameterPointers
  ) -> UnsafeMutablePointer<Float> {
    let (h, heads) = (config.hiddenSize, config.heads)
    let sequences = lengths.count
    let rows = sequences * length
    self.lengths = lengths
    self.rows = rows
    self.sequences = sequences
    self.length = length
    input = x
    let qkv = self.qkv.reserve(rows * 3 * h)
    probabilities.reserve(sequences * heads * length * length)
    let context = self.context.reserve(rows * h)
    queryKeyValue.forward(rows: rows, x, qkv, p)
    lora.forward(.query, rows: rows, x, qkv, outputStride: 3 * h, training: training, p)
    lora.forward(.key, rows: rows, x, qkv + h, outputStride: 3 * h, training: training, p)
    lora.forward(.value, rows: rows, x, qkv + 2 * h, outputStride: 3 * h, training: training, p)

    let dropping = training && probabilityDropout.rate > 0
    probabilityMaskActive = dropping
    if dropping { probabilityMask.reserve(sequences * heads * length * length) }
    // One scratch matrix per thread: the sequences are split between two (see `sequenceSplit`).
    scratch.reserve(2 * length * length)
    split = sequenceSplit(lengths: lengths)
    dropoutStart = probabilityDropout.rng
    TwoThreads.run(if: sequences > 1, self) { attention, part in attention.attendForward(part: part) }
    if dropping {
      probabilityDropout.rng = dropoutStart.advanced(by: heads * length * lengths.reduce(0, +))
    }

    let y = output.reserve(rows * h)
    let sum = normalized.reserve(rows * h)
    outputProjection.forward(rows: rows, context, sum, p)
    lora.forward(.attentionOutput, rows: rows, context, sum, outputStride: h, training: training, p)
    outputDropout.forward(count: rows * h, sum, training: training)
    EncoderKernels.add(count: rows * h, x, into: sum)
    norm.forward(rows: rows, sum, normalized: sum, reciprocalStd: reciprocalStd.reserve(rows), y, p)
    return y
  }

  /// Scores, masked softmax, dropout and the weighted sum of values for one thread's share of the
  /// sequences (`part` 0: those before `split`), per sequence and head.
  private func attendForward(part: Int) {
    let (h, heads, d, length) = (config.hiddenSize, config.heads, config.headSize, length)
    let stride3 = 3 * h
    let scale = 1 / Float(d).squareRoot()
    let (qkv, probabilities, context) = (qkv.pointer, probabilities.pointer, context.pointer)
    let mask = probabilityMaskActive ? probabilityMask.pointer : nil
    let scratch = scratch.pointer + part * length * length
    let (keepScale, threshold) = (probabilityDropout.keepScale, probabilityDropout.threshold)
    // One draw per real key, row by row, as the mask is laid out: the second thread's stream
    // starts after every draw of the first thread's sequences.
    var generator =
      part == 0 ? dropoutStart : dropoutStart.advanced(by: heads * length * lengths[..<split].reduce(0, +))
    for s in part == 0 ? 0..<split : split..<sequences {
      let valid = lengths[s]
      let base = qkv + s * length * stride3
      for head in 0..<heads {
        let slot = (s * heads + head) * length * length
        let scores = probabilities + slot
        gemm(
          transposeA: false, transposeB: true, m: length, n: valid, k: d, alpha: scale,
          a: base + head * d, lda: stride3, b: base + h + head * d, ldb: stride3, beta: 0,
          c: scores, ldc: length, threading: .single)
        EncoderKernels.maskedSoftmax(rows: length, valid: valid, stride: length, scores)
        var attended = UnsafePointer(scores)
        if let mask {
          for i in 0..<length {
            EncoderKernels.dropoutForward(
              count: valid, scores + i * length, scratch + i * length, mask: mask + slot + i * length,
              rng: &generator, threshold: threshold, scale: keepScale)
          }
          attended = UnsafePointer(scratch)
        }
        gemm(
          transposeA: false, transposeB: false, m: length, n: d, k: valid, alpha: 1,
          a: attended, lda: length, b: base + 2 * h + head * d, ldb: stride3, beta: 0,
          c: context + s * length * h + head * d, ldc: h, threading: .single)
      }
    }
  }

  /// The attention core's backward for one thread's share of the sequences: dQ, dK and dV into
  /// `qkvGradient` from the context gradient.
  private func attendBackward(part: Int) {
    let (h, heads, d, length) = (config.hiddenSize, config.heads, config.headSize, length)
    let stride3 = 3 * h
    let scale = 1 / Float(d).squareRoot()
    let keepScale = probabilityDropout.keepScale
    let qkv = UnsafePointer(qkv.pointer)
    let (dqkv, dcontext) = (qkvGradient.pointer, contextGradient.pointer)
    let scratch = scratch.pointer + part * length * length
    let dscores = scratchGradient.pointer + part * length * length
    for s in part == 0 ? 0..<split : split..<sequences {
      let valid = lengths[s]
      let base = qkv + s * length * stride3
      let dbase = dqkv + s * length * stride3
      let dctx = UnsafePointer(dcontext + s * length * h)
      for head in 0..<heads {
        let slot = (s * heads + head) * length * length
        let probs = UnsafePointer(probabilities.pointer + slot)
        var attended = probs
        if probabilityMaskActive {
          let m = UnsafePointer(probabilityMask.pointer + slot)
          for i in 0..<length {
            EncoderKernels.dropoutApply(
              count: valid, probs + i * length, mask: m + i * length, scale: keepScale, scratch + i * length)
          }
          attended = UnsafePointer(scratch)
        }
        // dV = P'ᵀ·dC over the real keys; padding keys get no gradient.
        gemm(
          transposeA: true, transposeB: false, m: valid, n: d, k: length, alpha: 1,
          a: attended, lda: length, b: dctx + head * d, ldb: h, beta: 0,
          c: dbase + 2 * h + head * d, ldc: stride3, threading: .single)
        // dP' = dC·Vᵀ.
        gemm(
          transposeA: false, transposeB: true, m: length, n: valid, k: d, alpha: 1,
          a: dctx + head * d, lda: h, b: base + 2 * h + head * d, ldb: stride3, beta: 0,
          c: dscores, ldc: length, threading: .single)
        // Through the dropout, then the softmax: dS = P ⊙ (dP - Σⱼ dP·P).
        if probabilityMaskActive {
          let m = UnsafePointer(probabilityMask.pointer + slot)
          for i in 0..<length {
            EncoderKernels.dropoutApply(
              count: valid, dscores + i * length, mask: m + i * length, scale: keepScale, dscores + i * length
            )
          }
        }
        EncoderKernels.softmaxBackward(
          rows: length, valid: valid, stride: length, probabilities: probs, dscores)
        // dQ = dS·K·scale, dK = dSᵀ·Q·scale.
        gemm(
          transposeA: false, transposeB: false, m: length, n: d, k: valid, alpha: scale,
          a: dscores, lda: length, b: base + h + head * d, ldb: stride3, beta: 0,
          c: dbase + head * d, ldc: stride3, threading: .single)
        gemm(
          transposeA: true, transposeB: false, m: valid, n: d, k: length, alpha: scale,
          a: dscores, lda: length, b: base + head * d, ldb: stride3, beta: 0,
          c: dbase + h + head * d, ldc: stride3, threading: .single)
      }
      // Padding keys and values took no part in the forward.
      for row in valid..<length {
        (dbase + row * stride3 + h).update(repeating: 0, count: 2 * h)
      }
    }
  }

  /// Where the second thread's sequences begin: about half of the attention work on each side,
  /// which grows with each sequence's real keys (every query row attends over them).
  private func sequenceSplit(lengths: [Int]) -> Int {
    let total = lengths.reduce(0, +)
    var sum = 0
    for (index, valid) in lengths.enumerated() {
      sum += valid
      if 2 * sum >= total { return index + 1 }
    }
    return lengths.count
  }

  /// Accumulates this half's parameter gradients (when `p.gradients` is set) and returns dL/dx when
  /// `needsInputGradient`.
  func backward(_ dy: UnsafePointer<Float>, needsInputGradient: Bool, _ p: ParameterPointers)
    -> UnsafeMutablePointer<Float>?
  {
    guard let x = input else { preconditionFailure("backward before forward") }
    let (h, rows, length) = (config.hiddenSize, rows, length)
    let dsum = sumGradient.reserve(rows * h)
    norm.backward(
      rows: rows, outputGradient: dy, normalized: normalized.pointer, reciprocalStd: reciprocalStd.pointer,
      inputGradient: dsum, p)
    let dprojection = projectionGradient.reserve(rows * h)
    outputDropout.backward(count: rows * h, dsum, dprojection)
    let dcontext = contextGradient.reserve(rows * h)
    outputProjection.backward(
      rows: rows, input: context.pointer, outputGradient: dprojection, inputGradient: dcontext, p)
    lora.backward(.attentionOutput, dprojection, outputStride: h, inputGradient: dcontext, p)

    qkvGradient.reserve(rows * 3 * h)
    scratch.reserve(2 * length * length)
    scratchGradient.reserve(2 * length * length)
    split = sequenceSplit(lengths: lengths)
    TwoThreads.run(if: sequences > 1, self) { attention, part in attention.attendBackward(part: part) }
    let dx = needsInputGradient ? inputGradient.reserve(rows * h) : nil
    if let dx { dx.update(from: dsum, count: rows * h) }
    let dqkv = UnsafePointer(qkvGradient.pointer)
    queryKeyValue.backward(rows: rows, input: x, outputGradient: dqkv, inputGradient: dx, accumulate: true, p)
    lora.backward(.query, dqkv, outputStride: 3 * h, inputGradient: dx, p)
    lora.backward(.key, dqkv + h, outputStride: 3 * h, inputGradient: dx, p)
    lora.backward(.value, dqkv + 2 * h, outputStride: 3 * h, inputGradient: dx, p)
    return dx
  }
}
