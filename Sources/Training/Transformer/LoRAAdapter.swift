/// A projection of a BERT block that can carry a LoRA adapter, named as Hugging Face's PEFT
/// `target_modules` name it (`query`, `intermediate.dense`, …).
///
/// `output.dense` is the feed-forward's output projection (`encoder.layer.N.output.dense`) and
/// `attention.output.dense` the attention's; PEFT's suffix match would take both for
/// `output.dense`, tunetop keeps them apart so each can be chosen alone.
public enum LoRATarget: String, CaseIterable, Sendable {
  case query, key, value
  case attentionOutput = "attention.output.dense"
  case intermediate = "intermediate.dense"
  case output = "output.dense"

  /// The module's path inside `encoder.layer.N.`, as in Hugging Face's tensor names.
  public var modulePath: String {
    switch self {
    case .query, .key, .value: "attention.self.\(rawValue)"
    case .attentionOutput, .intermediate, .output: rawValue
    }
  }

  /// Every valid `lora_targets` name, in table order, for messages.
  public static let names: [String] = allCases.map(\.rawValue)

  /// Position in `allCases`, without building that array (a training step allocates nothing).
  var slot: Int {
    switch self {
    case .query: 0
    case .key: 1
    case .value: 2
    case .attentionOutput: 3
    case .intermediate: 4
    case .output: 5
    }
  }
}

/// The LoRA settings of a run (`method: lora`): rank r, alpha (the update is scaled by alpha / r),
/// dropout on the adapter's input, and the projections that get adapters.
public struct LoRASettings: Equatable, Sendable {
  public var rank: Int
  public var alpha: Float
  public var dropout: Float
  public var targets: [LoRATarget]

  public init(
    rank: Int = 8, alpha: Float = 16, dropout: Float = 0.1, targets: [LoRATarget] = [.query, .value]
  ) {
    precondition(rank > 0, "LoRA rank must be positive")
    precondition(!targets.isEmpty, "LoRA needs at least one target")
    self.rank = rank
    self.alpha = alpha
    self.dropout = dropout
    self.targets = targets
  }

  /// alpha / r, PEFT's `scaling`.
  public var scale: Float { alpha / Float(rank) }
}

/// One low-rank adapter beside a frozen projection W: y = x·Wᵀ + b + scale·drop(x)·Aᵀ·Bᵀ, with
/// A `[r, in]` and B `[out, r]` in the `ParameterStore` (the block's group), as PEFT's `lora_A` /
/// `lora_B`.
///
/// The projection's own forward writes x·Wᵀ + b; `forward` adds the adapter's term into the same
/// output (which may be a column slice of a wider buffer, as Q, K and V are of the fused QKV).
/// `backward` accumulates dA and dB when given gradients and adds the adapter's share of dx.
final class LoRAAdapter {
  let target: LoRATarget
  /// Tensor indices of A, B and the base weight W the adapter sits beside.
  let a: Int, b: Int, baseWeight: Int
  let inputSize: Int, outputSize: Int, rank: Int
  let scale: Float
  let dropout: DropoutMask
  private let aOffset: Int, bOffset: Int

  private var rows = 0
  /// The input of the last forward (x itself, or its dropped-out copy), `[rows, in]`.
  private var adapterInput: UnsafePointer<Float>?
  private let droppedInput = FloatBuffer()
  /// drop(x)·Aᵀ, `[rows, r]`, kept for dB.
  private let low = FloatBuffer()
  private let lowGradient = FloatBuffer()
  private let droppedInputGradient = FloatBuffer()

  init(
    store: ParameterStore, prefix: String, target: LoRATarget, baseWeight: Int, group: String,
    settings: LoRASettings, dropoutSeed: UInt64
  ) {
    self.target = target
    self.baseWeight = baseWeight
    outputSize = store.tensors[baseWeight].shape[0]
    inputSize = store.tensors[baseWeight].shape[1]
    rank = settings.rank
    scale = settings.scale
    a = store.allocate(name: "\(prefix).lora_A.weight", group: group, shape: [rank, inputSize])
    b = store.allocate(name: "\(prefix).lora_B.weight", group: group, shape: [outputSize, rank])
    aOffset = store.tensors[a].offset
    bOffset = store.tensors[b].offset
    dropout = DropoutMask(rate: settings.dropout, seed: dropoutSeed)
  }

  /// PEFT's initialisation: A from `kaiming_uniform_(a=√5)`, i.e. U(-1/√in, 1/√in), and B zero, so
  /// a new adapter leaves the model's output unchanged.
  func initialize(_ store: ParameterStore, rng: inout SplitMix64) {
    let bound = 1 / Float(inputSize).squareRoot()
    store.setValues((0..<(rank * inputSize)).map { _ in (2 * rng.nextUnitFloat() - 1) * bound }, of: a)
    store.setValues([Float](repeating: 0, count: outputSize * rank), of: b)
  }

  /// y[rows, out] (row stride `outputStride`) += scale·drop(x)·Aᵀ·Bᵀ for x `[rows, in]` contiguous;
  /// x must stay valid until `backward`.
  func forward(
    rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outputStride: Int,
    training: Bool, _ p: ParameterPointers
  ) {
    self.rows = rows
    guard rows > 0 else { return }
    var input = x
    if training && dropout.rate > 0 {
      let copy = droppedInput.reserve(rows * inputSize)
      copy.update(from: x, count: rows * inputSize)
      dropout.forward(count: rows * inputSize, copy, training: true)
      input = UnsafePointer(copy)
    } else {
      dropout.forward(count: 0, droppedInput.reserve(0), training: false)
    }
    adapterInput = input
    let t = low.reserve(rows * rank)
    gemm(
      transposeA: false, transposeB: true, m: rows, n: rank, k: inputSize, alpha: 1,
      a: input, lda: inputSize, b: p.values + aOffset, ldb: inputSize, beta: 0, c: t, ldc: rank)
    gemm(
      transposeA: false, transposeB: true, m: rows, n: outputSize, k: rank, alpha: scale,
      a: t, lda: rank, b: p.values + bOffset, ldb: rank, beta: 1, c: y, ldc: outputStride)
  }

  /// From dy (row stride `outputStride`): dB += scale·dyᵀ·T and dA += (scale·dy·B)ᵀ·drop(x) when
  /// `p.adapterGradients` is set, and dx += drop'(scale·dy·B·A) when `dx` is given.
  func backward(
    _ dy: UnsafePointer<Float>, outputStride: Int, inputGradient dx: UnsafeMutablePointer<Float>?,
    _ p: ParameterPointers
  ) {
    guard rows > 0 else { return }
    guard let input = adapterInput else { preconditionFailure("LoRA backward before forward") }
    let grads = p.adapterGradients
    guard grads != nil || dx != nil else { return }
    if let grads {
      gemm(
        transposeA: true, transposeB: false, m: outputSize, n: rank, k: rows, alpha: scale,
        a: dy, lda: outputStride, b: low.pointer, ldb: rank, beta: 1, c: grads + bOffset, ldc: rank)
    }
    let dt = lowGradient.reserve(rows * rank)
    gemm(
      transposeA: false, transposeB: false, m: rows, n: rank, k: outputSize, alpha: scale,
      a: dy, lda: outputStride, b: p.values + bOffset, ldb: rank, beta: 0, c: dt, ldc: rank)
    if let grads {
      gemm(
        transposeA: true, transposeB: false, m: rank, n: inputSize, k: rows, alpha: 1,
        a: dt, lda: rank, b: input, ldb: inputSize, beta: 1, c: grads + aOffset, ldc: inputSize)
    }
    guard let dx else { return }
    if dropout.active {
      let dinput = droppedInputGradient.reserve(rows * inputSize)
      gemm(
        transposeA: false, transposeB: false, m: rows, n: inputSize, k: rank, alpha: 1,
        a: dt, lda: rank, b: p.values + aOffset, ldb: inputSize, beta: 0, c: dinput, ldc: inputSize)
      dropout.backward(count: rows * inputSize, dinput, dinput)
      for i in 0..<(rows * inputSize) { dx[i] += dinput[i] }
    } else {
      gemm(
        transposeA: false, transposeB: false, m: rows, n: inputSize, k: rank, alpha: 1,
        a: dt, lda: rank, b: p.values + aOffset, ldb: inputSize, beta: 1, c: dx, ldc: inputSize)
    }
  }

  /// W += scale·B·A into `weights` (the base weight's values, `[out, in]`).
  func merge(into weights: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>) {
    gemm(
      transposeA: false, transposeB: false, m: outputSize, n: inputSize, k: rank, alpha: scale,
      a: values + bOffset, lda: rank, b: values + aOffset, ldb: inputSize, beta: 1, c: weights,
      ldc: inputSize)
  }
}

/// The LoRA adapters of one half of a BERT block, by target; empty (every call a no-op) in a full
/// fine-tuning run. The block's forward and backward call it right after each projection.
final class LoRAAdapterSet {
  private var adapters: [LoRAAdapter?] = Array(repeating: nil, count: LoRATarget.allCases.count)

  subscript(target: LoRATarget) -> LoRAAdapter? {
    get { adapters[target.slot] }
    set { adapters[target.slot] = newValue }
  }

  /// Adapters present, in target order.
  var all: [LoRAAdapter] { adapters.compactMap { $0 } }

  func forward(
    _ target: LoRATarget, rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    outputStride: Int, training: Bool, _ p: ParameterPointers
  ) {
    self[target]?.forward(rows: rows, x, y, outputStride: outputStride, training: training, p)
  }

  func backward(
    _ target: LoRATarget, _ dy: UnsafePointer<Float>, outputStride: Int,
    inputGradient dx: UnsafeMutablePointer<Float>?, _ p: ParameterPointers
  ) {
    self[target]?.backward(dy, outputStride: outputStride, inputGradient: dx, p)
  }
}

extension LoRASettings {
  /// The run's LoRA settings when `method` is `lora`, else nil (full fine-tuning). Targets are the
  /// validated `lora_targets` names.
  public init?(_ hyperParameters: HyperParameters) {
    guard hyperParameters.method == "lora" else { return nil }
    self.init(
      rank: hyperParameters.loraRank, alpha: Float(hyperParameters.loraAlpha),
      dropout: Float(hyperParameters.loraDropout),
      targets: hyperParameters.loraTargets.compactMap(LoRATarget.init(rawValue:)))
  }

  /// Checkpoint metadata keys: a LoRA checkpoint says how to rebuild its adapters.
  public static let rankKey = "lora_rank"
  public static let alphaKey = "lora_alpha"
  public static let dropoutKey = "lora_dropout"
  public static let targetsKey = "lora_targets"

  /// The settings as checkpoint metadata (`lora_rank`, `lora_alpha`, `lora_dropout`, `lora_targets`).
  public var metadata: [String: String] {
    [
      Self.rankKey: String(rank), Self.alphaKey: "\(alpha)", Self.dropoutKey: "\(dropout)",
      Self.targetsKey: targets.map(\.rawValue).joined(separator: ","),
    ]
  }

  /// The settings a checkpoint's metadata records, nil when it has none (a full fine-tuning
  /// checkpoint); malformed values are an error naming the file and the key.
  public init?(metadata: [String: String], path: String) throws(CheckpointMismatchError) {
    guard let rankText = metadata[Self.rankKey] else { return nil }
    func fail(_ key: String, _ value: String?) -> CheckpointMismatchError {
      CheckpointMismatchError(
        path: path,
        message: "metadata \(key) is \(value.map { "\"\($0)\"" } ?? "missing"); not a LoRA setting")
    }
    guard let rank = Int(rankText), rank > 0 else { throw fail(Self.rankKey, rankText) }
    guard let alpha = metadata[Self.alphaKey].flatMap(Float.init), alpha > 0 else {
      throw fail(Self.alphaKey, metadata[Self.alphaKey])
    }
    guard let dropout = metadata[Self.dropoutKey].flatMap(Float.init), dropout >= 0, dropout < 1 else {
      throw fail(Self.dropoutKey, metadata[Self.dropoutKey])
    }
    let names = metadata[Self.targetsKey]?.split(separator: ",").map(String.init) ?? []
    let targets = names.compactMap(LoRATarget.init(rawValue:))
    guard !targets.isEmpty, targets.count == names.count else {
      throw fail(Self.targetsKey, metadata[Self.targetsKey])
    }
    self.init(rank: rank, alpha: alpha, dropout: dropout, targets: targets)
  }
}
