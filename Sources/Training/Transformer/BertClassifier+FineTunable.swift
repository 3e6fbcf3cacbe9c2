import Foundation

/// A BERT classifier is a `FineTunableModel` over tokenized texts (`TextSamples`): the trainer,
/// the LR finder, search, resume and fork hold it as they hold the MLP.
extension BertClassifier: FineTunableModel {
  public var kind: String { "bert" }

  /// Refuses anything but tokenized texts, and texts the encoder would read out of bounds: an id
  /// past `vocab_size` or a sequence longer than `max_position_embeddings` (the forward would trap).
  public func checkInputs(_ data: any LabeledSamples) throws {
    guard let texts = data as? TextSamples else {
      throw ConfigError(
        key: "task",
        message:
          "a BERT encoder reads tokenized texts (a text task such as wordnet-nouns or a CSV/JSONL with a text column); this task gives \(type(of: data))"
      )
    }
    let largest = texts.largestID
    guard largest < Int32(config.vocabularySize) else {
      throw ConfigError(
        key: "base_model",
        message:
          "the tokenizer gives id \(largest) but the model's vocab_size is \(config.vocabularySize); its vocab.txt and config.json disagree"
      )
    }
    let longest = texts.longestSequence
    guard longest <= config.maxPositions else {
      throw ConfigError(
        key: ConfigKey.maxSeqLen.name,
        message:
          "a sequence has \(longest) tokens but the model has \(config.maxPositions) positions (max_position_embeddings); set max_seq_len to at most \(config.maxPositions)"
      )
    }
    guard texts.classes <= classes else {
      throw ConfigError(
        key: ConfigKey.resetHead.name,
        message:
          "the data has \(texts.classes) classes but the model's head has \(classes); set reset_head: true to start a new head"
      )
    }
  }

  public func forward(_ data: any LabeledSamples, indices: ArraySlice<Int>, training: Bool) -> Matrix {
    guard let texts = data as? TextSamples else {
      preconditionFailure("a BERT encoder reads TextSamples, not \(type(of: data))")
    }
    return forward(reusedBatches.next(texts, indices: indices), training: training)
  }
}

/// Two token batches filled in turn. The encoder keeps the batch of its last forward for
/// backward; filling the other one, which nothing else holds any more, reuses its buffers instead
/// of copying them, so a training step allocates no token buffers once both have grown.
final class ReusedTokenBatches {
  private var even = TokenBatch(tokens: [0], lengths: [1], length: 1)
  private var odd = TokenBatch(tokens: [0], lengths: [1], length: 1)
  private var useOdd = false

  func next(_ texts: TextSamples, indices: ArraySlice<Int>) -> TokenBatch {
    useOdd.toggle()
    if useOdd {
      odd.fill(with: texts.texts, indices: indices, padding: texts.paddingID)
      return odd
    }
    even.fill(with: texts.texts, indices: indices, padding: texts.paddingID)
    return even
  }
}
