import Foundation

/// How the encoder's last hidden states become one vector per sequence.
public enum BertPooling: String, Sendable, CaseIterable {
  /// The mean over each sequence's real tokens (sentence-transformers' pooling).
  case mean
  /// BERT's pooler on the [CLS] vector, dense + tanh, as `BertForSequenceClassification` uses it.
  case cls
}

/// The task head (group `head`): pooling, dropout, then the classifier dense to class logits.
///
/// With `cls` pooling the pooler (`pooler.dense`) belongs to `head`, not to the last block: it
/// exists only for the classification path, sits above every block, and is what a linear probe
/// trains along with the classifier. Loading a Hugging Face folder still fills it from the
/// pretrained weights; resetting the head redraws it.
final class BertHead {
  let config: BertConfig
  let pooling: BertPooling
  let classes: Int
  let group = "head"
  let pooler: LinearParameters?
  let classifier: LinearParameters
  let dropout: DropoutMask

  private var lengths: [Int] = []
  private var length = 0
  private var hidden: UnsafePointer<Float>?
  private let clsVectors = FloatBuffer()
  /// tanh outputs of the pooler before dropout, for tanh' = 1 - y² in backward.
  private let poolerOutput = FloatBuffer()
  private let pooled = FloatBuffer()
  private let logits = FloatBuffer()
  private let pooledGradient = FloatBuffer()
  private let clsGradient = FloatBuffer()
  let inputGradient = FloatBuffer()

  init(store: ParameterStore, config: BertConfig, classes: Int, pooling: BertPooling, dropoutSeed: UInt64) {
    self.config = config
    self.pooling = pooling
    self.classes = classes
    let h = config.hiddenSize
    if pooling == .cls {
      let dense = LinearParameters.allocate(
        store, name: "pooler.dense", group: group, inputSize: h, outputSize: h)
      pooler = LinearParameters(store: store, weight: dense.weight, bias: dense.bias)
    } else {
      pooler = nil
    }
    let head = LinearParameters.allocate(
      store, name: "classifier", group: group, inputSize: h, outputSize: classes)
    classifier = LinearParameters(store: store, weight: head.weight, bias: head.bias)
    dropout = DropoutMask(rate: config.hiddenDropout, seed: dropoutSeed)
  }

  /// The pooled vectors of the last forward, `[count, hidden]` (after the head's dropout, so an
  /// evaluation forward gives the plain pooled vectors that tests compare with Hugging Face).
  func pooledVectors() -> [Float] {
    Array(UnsafeBufferPointer(start: pooled.pointer, count: lengths.count * config.hiddenSize))
  }

  func forward(
    _ x: UnsafePointer<Float>, lengths: [Int], length: Int, training: Bool, _ p: ParameterPointers
  ) -> UnsafeMutablePointer<Float> {
    let h = config.hiddenSize
    let count = lengths.count
    self.lengths = lengths
    self.length = length
    hidden = x
    let pooled = self.pooled.reserve(count * h)
    switch pooling {
    case .mean:
      for s in 0..<count {
        let out = pooled + s * h
        out.update(repeating: 0, count: h)
        for t in 0..<lengths[s] {
          let row = x + (s * length + t) * h
          for j in 0..<h { out[j] += row[j] }
        }
        let inverse = 1 / Float(lengths[s])
        for j in 0..<h { out[j] *= inverse }
      }
    case .cls:
      let cls = clsVectors.reserve(count * h)
      for s in 0..<count { (cls + s * h).update(from: x + s * length * h, count: h) }
      pooler!.forward(rows: count, cls, pooled, p)
      let saved = poolerOutput.reserve(count * h)
      for k in 0..<(count * h) {
        pooled[k] = tanh(pooled[k])
        saved[k] = pooled[k]
      }
    }
    dropout.forward(count: count * h, pooled, training: training)
    let logits = self.logits.reserve(count * classes)
    classifier.forward(rows: count, pooled, logits, p)
    return logits
  }

  /// Accumulates the head's gradients (when `p.gradients` is set) and returns dL/d(last hidden
  /// states) when `needsInputGradient`.
  func backward(_ dlogits: UnsafePointer<Float>, needsInputGradient: Bool, _ p: ParameterPointers)
    -> UnsafeMutablePointer<Float>?
  {
    let (h, count, length) = (config.hiddenSize, lengths.count, length)
    let needsPooledGradient = needsInputGradient || (pooling == .cls && p.gradients != nil)
    let dpooled = pooledGradient.reserve(count * h)
    classifier.backward(
      rows: count, input: pooled.pointer, outputGradient: dlogits,
      inputGradient: needsPooledGradient ? dpooled : nil, p)
    guard needsPooledGradient else { return nil }
    dropout.backward(count: count * h, dpooled, dpooled)
    let dx = needsInputGradient ? inputGradient.reserve(count * length * h) : nil
    if let dx { dx.update(repeating: 0, count: count * length * h) }
    switch pooling {
    case .mean:
      guard let dx else { return nil }
      for s in 0..<count {
        let inverse = 1 / Float(lengths[s])
        let g = dpooled + s * h
        for t in 0..<lengths[s] {
          let row = dx + (s * length + t) * h
          for j in 0..<h { row[j] = g[j] * inverse }
        }
      }
    case .cls:
      let saved = poolerOutput.pointer
      for k in 0..<(count * h) { dpooled[k] *= 1 - saved[k] * saved[k] }
      let dcls = clsGradient.reserve(count * h)
      pooler!.backward(
        rows: count, input: clsVectors.pointer, outputGradient: dpooled,
        inputGradient: needsInputGradient ? dcls : nil,
        p)
      if let dx {
        for s in 0..<count { (dx + s * length * h).update(from: dcls + s * h, count: h) }
      }
    }
    return dx
  }
}
