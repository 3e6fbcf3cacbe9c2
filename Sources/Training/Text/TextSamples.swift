import Foundation

/// One split of a text task as the trainer sees it: tokenized sequences (each with [CLS] and [SEP],
/// at most `max_seq_len` ids) and their classes. An encoder pads a batch of them into a `TokenBatch`.
public struct TextSamples: LabeledSamples, Equatable {
  /// The split's sequences, in split order, with their labels.
  public let texts: TokenizedTexts
  public let classes: Int
  /// The id written into padded positions (the tokenizer's `[PAD]`).
  public let paddingID: Int32

  public init(texts: TokenizedTexts, classes: Int, paddingID: Int32) {
    self.texts = texts
    self.classes = classes
    self.paddingID = paddingID
  }

  public var count: Int { texts.count }
  public var labels: [Int] { texts.labels }

  /// Real (non-padding) tokens of the samples at `indices`, [CLS] and [SEP] included.
  public func tokenCount(_ indices: ArraySlice<Int>) -> Int {
    var total = 0
    for index in indices { total += texts.length(index) }
    return total
  }

  /// The longest sequence of the split, in ids.
  public var longestSequence: Int {
    (0..<count).reduce(0) { max($0, texts.length($1)) }
  }

  /// The largest id of the split, or -1 when it has none.
  public var largestID: Int32 { texts.ids.max() ?? -1 }

  /// The samples at `rows`, in that order.
  public func subset(_ rows: [Int]) -> TextSamples {
    TextSamples(texts: texts.subset(rows), classes: classes, paddingID: paddingID)
  }
}

extension TokenizedTexts {
  /// The sequences at `rows`, in that order, in a buffer of their own.
  public func subset(_ rows: [Int]) -> TokenizedTexts {
    var ids: [Int32] = []
    ids.reserveCapacity(rows.reduce(0) { $0 + length($1) })
    var offsets = [0]
    offsets.reserveCapacity(rows.count + 1)
    for row in rows {
      ids += sequence(row)
      offsets.append(ids.count)
    }
    return TokenizedTexts(
      ids: ids, offsets: offsets, labels: rows.map { labels[$0] }, classes: classes, maxLength: maxLength)
  }
}

extension LabeledSamples {
  /// Real tokens of the samples at `indices` for samples made of tokens, nil for feature rows: what
  /// the status bar's tokens/s counts.
  public func tokenCount(at indices: ArraySlice<Int>) -> Int? {
    (self as? TextSamples)?.tokenCount(indices)
  }
}
