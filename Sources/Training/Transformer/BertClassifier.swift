import Foundation

/// A BERT-family encoder with a classification head over one `ParameterStore`, in tunetop's own
/// engine with hand-written backward passes: the model the trainer fine-tunes on text.
///
/// Groups bottom to top: `embeddings`, `block0` … `block{N-1}` (Hugging Face's 0-based layer
/// indices), `head` (the pooler when pooling is `cls`, and the classifier). Parameters carry their
/// Hugging Face names, so checkpoints load into `BertModel` with `strict=False`. The API mirrors
/// `MLP`'s, with a `TokenBatch` in place of a feature matrix.
public final class BertClassifier {
  public let config: BertConfig
  public let store = ParameterStore()
  public let classes: Int
  public let pooling: BertPooling
  /// Group names bottom (closest to the input) to top (`head`).
  public let groupNames: [String]
  /// The LoRA settings when the model fine-tunes by LoRA (`enableLoRA`), else nil: full fine-tuning.
  public internal(set) var lora: LoRASettings?

  let embeddings: BertEmbeddings
  let attentions: [BertAttention]
  let feedForwards: [BertFeedForward]
  let head: BertHead
  private var logits = Matrix(rows: 0, cols: 0)
  private var lastBatch: TokenBatch?
  private var lastHidden: UnsafeMutablePointer<Float>?
  /// Where `forward(_:indices:training:)` pads a batch of tokenized texts.
  let reusedBatches = ReusedTokenBatches()

  /// Every dropout of the model, bottom to top: embeddings, then per block the attention
  /// probabilities, the attention output and the feed-forward output, then the head.
  private var dropouts: [DropoutMask] {
    [embeddings.dropout]
      + zip(attentions, feedForwards).flatMap { [$0.probabilityDropout, $0.outputDropout, $1.dropout] }
      + [head.dropout]
  }

  /// Dropout rate of the hidden states and of the attention probabilities; setting it takes effect
  /// at the next forward. It starts at the config's `hidden_dropout_prob` (and the attention
  /// probabilities at `attention_probs_dropout_prob`).
  public var dropout: Float {
    didSet { for mask in dropouts { mask.rate = dropout } }
  }

  /// State of each dropout generator, bottom to top (then LoRA adapters' input dropouts, whose
  /// rate is `lora_dropout`, not `dropout`), saved so a resumed run draws the same masks.
  public var dropoutRNGStates: [UInt64] {
    get { (dropouts + loraDropouts).map(\.rng.state) }
    set {
      let masks = dropouts + loraDropouts
      precondition(newValue.count == masks.count, "\(newValue.count) states for \(masks.count) dropouts")
      for (mask, state) in zip(masks, newValue) { mask.rng.state = state }
    }
  }

  /// A freshly initialised model (weights N(0, 0.02), zero biases, unit LayerNorms, as Hugging
  /// Face initialises BERT); load pretrained weights with `load` or `BertModelFolder`.
  public init(config: BertConfig, classes: Int, pooling: BertPooling, seed: UInt64) {
    precondition(classes > 0, "a classifier needs at least one class")
    self.config = config
    self.classes = classes
    self.pooling = pooling
    dropout = config.hiddenDropout
    var rng = SplitMix64(seed: seed)
    embeddings = BertEmbeddings(store: store, config: config, dropoutSeed: rng.next())
    var attentions: [BertAttention] = []
    var feedForwards: [BertFeedForward] = []
    for layer in 0..<config.layers {
      attentions.append(
        BertAttention(
          store: store, config: config, layer: layer, group: "block\(layer)",
          dropoutSeeds: (rng.next(), rng.next())))
      feedForwards.append(
        BertFeedForward(
          store: store, config: config, layer: layer, group: "block\(layer)", dropoutSeed: rng.next()))
    }
    self.attentions = attentions
    self.feedForwards = feedForwards
    head = BertHead(store: store, config: config, classes: classes, pooling: pooling, dropoutSeed: rng.next())
    groupNames = ["embeddings"] + (0..<config.layers).map { "block\($0)" } + ["head"]
    for group in groupNames { reinitialize(group: group, seed: rng.next()) }
  }

  /// Draws fresh weights for one group from `seed`: N(0, 0.02) for matrices and embeddings, zero
  /// biases, unit LayerNorm gains.
  public func reinitialize(group name: String, seed: UInt64) {
    precondition(groupNames.contains(name), "unknown layer group \(name)")
    var rng = SplitMix64(seed: seed)
    for index in store.tensors.indices where store.tensors[index].group == name {
      let tensor = store.tensors[index]
      if tensor.name.hasSuffix("LayerNorm.weight") {
        store.setValues([Float](repeating: 1, count: tensor.count), of: index)
      } else if tensor.shape.count == 1 {
        store.setValues([Float](repeating: 0, count: tensor.count), of: index)
      } else {
        fillNormal(store, tensor: index, std: 0.02, rng: &rng)
      }
    }
  }

  /// Draws fresh weights for the head, as when fine-tuning onto a new task.
  public func resetHead(seed: UInt64) { reinitialize(group: "head", seed: seed) }

  /// Layer-wise LR decay (`layer_lr_decay`): the head learns at the full rate, each group below at
  /// `decay` times the one above it.
  public func applyLayerLearningRateDecay(_ decay: Double) {
    for (depth, group) in groupNames.reversed().enumerated() {
      store.learningRateMultipliers[group] = Float(pow(decay, Double(depth)))
    }
  }

  public func parameterCount(group: String) -> Int { store.parameterCount(group: group) }

  /// Logits `[batch.count, classes]` for each sequence; `training` switches dropout on.
  public func forward(_ batch: TokenBatch, training: Bool) -> Matrix {
    let rows = batch.positions
    lastBatch = batch
    logits.reshape(rows: batch.count, cols: classes)
    store.values.withUnsafeBufferPointer { values in
      let p = ParameterPointers(values: values.baseAddress!, gradients: nil)
      var x = embeddings.forward(batch, training: training, p)
      for (attention, feedForward) in zip(attentions, feedForwards) {
        let attended = attention.forward(
          x, lengths: batch.lengths, length: batch.length, training: training, p)
        x = feedForward.forward(attended, rows: rows, training: training, p)
      }
      lastHidden = x
      let out = head.forward(x, lengths: batch.lengths, length: batch.length, training: training, p)
      logits.storage.withUnsafeMutableBufferPointer {
        $0.baseAddress!.update(from: out, count: batch.count * classes)
      }
    }
    return logits
  }

  /// Accumulates parameter gradients of the last `forward` into `store.gradients`; once per forward.
  ///
  /// Work stops at the lowest trainable group: nothing below it is touched, and it computes no
  /// input gradient. A frozen group above it passes the gradient through without computing its
  /// own weight gradients.
  public func backward(_ logitsGradient: Matrix) {
    guard let batch = lastBatch else { preconditionFailure("backward before forward") }
    precondition(
      logitsGradient.rows == batch.count && logitsGradient.cols == classes,
      "logits gradient is \(logitsGradient.rows)×\(logitsGradient.cols), expected \(batch.count)×\(classes)")
    guard
      let lowest = groupNames.firstIndex(where: {
        store.isTrainable(group: $0) && store.hasTrainableTensors(group: $0)
      })
    else { return }
    logitsGradient.storage.withUnsafeBufferPointer { dlogits in
      store.values.withUnsafeBufferPointer { values in
        store.gradients.withUnsafeMutableBufferPointer { grads in
          backwardPass(
            dlogits.baseAddress!, lowest: lowest, values: values.baseAddress!,
            gradients: grads.baseAddress!)
        }
      }
    }
  }

  private func backwardPass(
    _ dlogits: UnsafePointer<Float>, lowest: Int, values: UnsafePointer<Float>,
    gradients: UnsafeMutablePointer<Float>
  ) {
    // A frozen group gets no gradient pointer, so none of its layers can compute weight gradients;
    // with LoRA a block's base weights get none either, only its adapters do.
    let headIndex = groupNames.count - 1
    func p(_ group: Int) -> ParameterPointers {
      let trainable = store.isTrainable(group: groupNames[group])
      let baseTrains = trainable && (lora == nil || group == headIndex)
      return ParameterPointers(
        values: values, gradients: baseTrains ? gradients : nil,
        adapterGradients: trainable ? gradients : nil)
    }
    guard let fromHead = head.backward(dlogits, needsInputGradient: lowest < headIndex, p(headIndex)) else {
      return
    }
    var g = UnsafePointer(fromHead)
    for layer in stride(from: config.layers - 1, through: 0, by: -1) {
      let group = layer + 1
      let dAttended = feedForwards[layer].backward(g, needsInputGradient: true, p(group))!
      guard let dx = attentions[layer].backward(dAttended, needsInputGradient: group > lowest, p(group))
      else {
        return
      }
      g = UnsafePointer(dx)
    }
    embeddings.backward(g, p(0))
  }

  /// The encoder's last hidden states of the last forward, `[positions, hidden]` (padding rows
  /// included), as Hugging Face's `last_hidden_state` flattened.
  public func lastHiddenStates() -> Matrix {
    guard let batch = lastBatch, let lastHidden else { return Matrix(rows: 0, cols: config.hiddenSize) }
    let count = batch.positions * config.hiddenSize
    return Matrix(
      rows: batch.positions, cols: config.hiddenSize,
      storage: Array(UnsafeBufferPointer(start: lastHidden, count: count)))
  }

  /// The pooled vector of each sequence of the last forward, `[batch, hidden]` (after the head's
  /// dropout, so an evaluation forward gives the plain pooled vectors).
  public func pooledVectors() -> Matrix {
    let values = head.pooledVectors()
    return Matrix(rows: values.count / config.hiddenSize, cols: config.hiddenSize, storage: values)
  }
}

extension BertClassifier {
  /// Mean (unsmoothed unless asked) cross-entropy and accuracy over already batched sequences, in
  /// evaluation mode; `labels[i]` are the labels of `batches[i]`. No sequences score 0 for both.
  public func evaluate(batches: [TokenBatch], labels: [[Int]], labelSmoothing: Float = 0) -> (
    loss: Double, accuracy: Double
  ) {
    precondition(batches.count == labels.count, "\(labels.count) label lists for \(batches.count) batches")
    let loss = SoftmaxCrossEntropy(labelSmoothing: labelSmoothing)
    var totalLoss: Double = 0
    var correct = 0
    var count = 0
    for (batch, batchLabels) in zip(batches, labels) {
      precondition(
        batchLabels.count == batch.count, "\(batchLabels.count) labels for \(batch.count) sequences")
      let result = loss.evaluate(logits: forward(batch, training: false), labels: batchLabels)
      totalLoss += result.loss * Double(batch.count)
      correct += result.correct
      count += batch.count
    }
    guard count > 0 else { return (0, 0) }
    return (totalLoss / Double(count), Double(correct) / Double(count))
  }
}
