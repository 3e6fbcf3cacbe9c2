/// A batch of token sequences for the encoder, padded to its longest sequence (not to a fixed
/// maximum): token ids row-major `[count × length]`, each row's real length, optional token types.
public struct TokenBatch: Equatable, Sendable {
  /// Number of sequences (rows).
  public private(set) var count: Int
  /// Padded length of every row: the longest sequence of the batch.
  public private(set) var length: Int
  /// `count × length` token ids; positions at or past a row's length are padding (any id).
  public private(set) var tokens: [Int32]
  /// Real length of each row, 1…`length`; keys past it are masked out of attention.
  public private(set) var lengths: [Int]
  /// `count × length` segment ids (BERT's token types), or nil for all zeros.
  public private(set) var tokenTypes: [Int32]?

  /// A batch from already padded ids; `lengths[i]` must be in 1…`length`.
  public init(tokens: [Int32], lengths: [Int], length: Int, tokenTypes: [Int32]? = nil) {
    precondition(length > 0, "a token batch needs a positive length")
    precondition(tokens.count == lengths.count * length, "\(tokens.count) ids for \(lengths.count)×\(length)")
    precondition(lengths.allSatisfy { $0 >= 1 && $0 <= length }, "row lengths must be in 1…\(length)")
    precondition(tokenTypes == nil || tokenTypes!.count == tokens.count, "token types must match the ids")
    count = lengths.count
    self.length = length
    self.tokens = tokens
    self.lengths = lengths
    self.tokenTypes = tokenTypes
  }

  /// Pads `sequences` (each non-empty) with `padding` to the longest of them.
  public init(sequences: [[Int32]], padding: Int32 = 0, tokenTypes: [[Int32]]? = nil) {
    precondition(!sequences.isEmpty && sequences.allSatisfy { !$0.isEmpty }, "sequences must be non-empty")
    let length = sequences.map(\.count).max()!
    var ids: [Int32] = []
    ids.reserveCapacity(sequences.count * length)
    for sequence in sequences {
      ids += sequence
      ids += repeatElement(padding, count: length - sequence.count)
    }
    var types: [Int32]?
    if let tokenTypes {
      precondition(tokenTypes.map(\.count) == sequences.map(\.count), "token types must match the sequences")
      types = tokenTypes.flatMap { $0 + repeatElement(0, count: length - $0.count) }
    }
    self.init(tokens: ids, lengths: sequences.map(\.count), length: length, tokenTypes: types)
  }

  /// Total positions, padding included: the rows of every activation matrix.
  public var positions: Int { count * length }
}

extension TokenBatch {
  /// Pads the sequences of `texts` at `indices` with `padding` to the longest of them, in place:
  /// once the buffers have grown to a batch's size, refilling allocates nothing (as long as no
  /// other copy of this batch shares them).
  public mutating func fill(with texts: TokenizedTexts, indices: ArraySlice<Int>, padding: Int32) {
    precondition(!indices.isEmpty, "a token batch needs at least one sequence")
    var longest = 0
    for index in indices { longest = max(longest, texts.length(index)) }
    precondition(longest > 0, "sequences must be non-empty")
    count = indices.count
    length = longest
    tokenTypes = nil
    tokens.removeAll(keepingCapacity: true)
    lengths.removeAll(keepingCapacity: true)
    for index in indices {
      let sequence = texts.sequence(index)
      tokens.append(contentsOf: sequence)
      for _ in sequence.count..<longest { tokens.append(padding) }
      lengths.append(sequence.count)
    }
  }
}
