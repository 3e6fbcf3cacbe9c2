/// BERT's input layer: word + absolute position + token-type embeddings, LayerNorm, dropout
/// (group `embeddings`). Its backward scatter-adds each position's gradient into the rows it read.
final class BertEmbeddings {
  let config: BertConfig
  let group = "embeddings"
  let words: Int
  let positions: Int
  let types: Int
  let norm: LayerNormParameters
  let dropout: DropoutMask

  private let wordsOffset: Int
  private let positionsOffset: Int
  private let typesOffset: Int
  /// The batch of the last forward, kept for the scatter in backward.
  private var batch = TokenBatch(tokens: [0], lengths: [1], length: 1)
  private let normalized = FloatBuffer()
  private let reciprocalStd = FloatBuffer()
  /// Output `[positions, hidden]`, read in place by block 0.
  let output = FloatBuffer()
  private let sumGradient = FloatBuffer()

  init(store: ParameterStore, config: BertConfig, dropoutSeed: UInt64) {
    self.config = config
    let h = config.hiddenSize
    words = store.allocate(
      name: "embeddings.word_embeddings.weight", group: group, shape: [config.vocabularySize, h])
    positions = store.allocate(
      name: "embeddings.position_embeddings.weight", group: group, shape: [config.maxPositions, h])
    types = store.allocate(
      name: "embeddings.token_type_embeddings.weight", group: group, shape: [config.typeVocabularySize, h])
    norm = LayerNormParameters(
      store: store, name: "embeddings.LayerNorm", group: group, features: h, epsilon: config.layerNormEpsilon)
    dropout = DropoutMask(rate: config.hiddenDropout, seed: dropoutSeed)
    wordsOffset = store.tensors[words].offset
    positionsOffset = store.tensors[positions].offset
    typesOffset = store.tensors[types].offset
  }

  /// Embeds `batch` into `output` (`positions × hidden`).
  func forward(_ batch: TokenBatch, training: Bool, _ p: ParameterPointers) -> UnsafeMutablePointer<Float> {
    precondition(
      batch.length <= config.maxPositions,
      "batch length \(batch.length) exceeds max_position_embeddings \(config.maxPositions)")
    self.batch = batch
    let (rows, h, length) = (batch.positions, config.hiddenSize, batch.length)
    let sum = normalized.reserve(rows * h)
    let y = output.reserve(rows * h)
    let rstd = reciprocalStd.reserve(rows)
    batch.tokens.withUnsafeBufferPointer { ids in
      for row in 0..<rows {
        let id = Int(ids[row])
        precondition(id >= 0 && id < config.vocabularySize, "token id \(id) outside the vocabulary")
        let type = batch.tokenTypes.map { Int($0[row]) } ?? 0
        precondition(
          type >= 0 && type < config.typeVocabularySize, "token type \(type) outside type_vocab_size")
        let word = p.values + wordsOffset + id * h
        let position = p.values + positionsOffset + (row % length) * h
        let typeRow = p.values + typesOffset + type * h
        let out = sum + row * h
        for j in 0..<h { out[j] = word[j] + typeRow[j] + position[j] }
      }
    }
    norm.forward(rows: rows, sum, normalized: sum, reciprocalStd: rstd, y, p)
    dropout.forward(count: rows * h, y, training: training)
    return y
  }

  /// Accumulates the embedding and LayerNorm gradients; does nothing when the group is frozen.
  func backward(_ dy: UnsafePointer<Float>, _ p: ParameterPointers) {
    guard let grads = p.gradients else { return }
    let (rows, h, length) = (batch.positions, config.hiddenSize, batch.length)
    let dsum = sumGradient.reserve(rows * h)
    dropout.backward(count: rows * h, dy, dsum)
    norm.backward(
      rows: rows, outputGradient: dsum, normalized: normalized.pointer, reciprocalStd: reciprocalStd.pointer,
      inputGradient: dsum, p)
    batch.tokens.withUnsafeBufferPointer { ids in
      for row in 0..<rows {
        let type = batch.tokenTypes.map { Int($0[row]) } ?? 0
        let word = grads + wordsOffset + Int(ids[row]) * h
        let position = grads + positionsOffset + (row % length) * h
        let typeRow = grads + typesOffset + type * h
        let g = dsum + row * h
        for j in 0..<h {
          word[j] += g[j]
          position[j] += g[j]
          typeRow[j] += g[j]
        }
      }
    }
  }
}
