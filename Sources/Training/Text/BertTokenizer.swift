import Foundation

/// BERT's WordPiece tokenizer, giving exactly the ids of Hugging Face's `BertTokenizer` (the Rust
/// `tokenizers` pipeline) for the same `vocab.txt` and `tokenizer_config.json`.
///
/// The pipeline, in Hugging Face's order: special tokens written in the text ([SEP], …) are matched
/// first; the rest is cleaned (control characters, NUL and U+FFFD dropped, whitespace made a space),
/// CJK ideographs are set apart, accents are stripped and the text lower-cased as configured, words are
/// split at whitespace and around punctuation, and each word becomes its greedy longest-match-first
/// WordPiece pieces (`##` marking continuations), or `[UNK]` when it has more than 100 characters or a
/// part matches nothing. The work is done on UTF-8 bytes and Unicode scalars, without building strings.
public final class BertTokenizer: Sendable {
  public let vocabulary: WordPieceVocabulary
  public let configuration: BertTokenizerConfiguration
  public let paddingID: Int32
  public let classifierID: Int32
  public let separatorID: Int32
  public let unknownID: Int32
  /// Nil when the vocabulary has no mask token.
  public let maskID: Int32?
  /// Words with more characters than this are `[UNK]` (Hugging Face's `max_input_chars_per_word`).
  public static let maximumWordCharacters = 100

  /// Special tokens found verbatim in the text, longest first, with their ids.
  let specialTokens: [(bytes: [UInt8], id: Int32)]
  let specialFirstBytes: [Bool]

  /// Loads `vocab.txt` and, when present, `tokenizer_config.json` from a model folder.
  public convenience init(folder: URL) throws(TokenizerError) {
    let vocabularyURL = folder.appendingPathComponent("vocab.txt")
    let configuration = try BertTokenizerConfiguration(
      contentsOf: folder.appendingPathComponent("tokenizer_config.json"))
    try self.init(
      vocabulary: WordPieceVocabulary(contentsOf: vocabularyURL), configuration: configuration,
      vocabularySource: vocabularyURL.path)
  }

  /// `vocabularySource` names the vocabulary in errors about missing special tokens.
  public init(
    vocabulary: WordPieceVocabulary, configuration: BertTokenizerConfiguration = .init(),
    vocabularySource: String = "vocab.txt"
  ) throws(TokenizerError) {
    func required(_ role: String, _ token: String) throws(TokenizerError) -> Int32 {
      guard let id = vocabulary.id(of: token) else {
        throw TokenizerError(path: vocabularySource, problem: .missingSpecialToken(role: role, token: token))
      }
      return id
    }
    self.vocabulary = vocabulary
    self.configuration = configuration
    unknownID = try required("unknown", configuration.unknownToken)
    classifierID = try required("classifier", configuration.classifierToken)
    separatorID = try required("separator", configuration.separatorToken)
    paddingID = try required("padding", configuration.paddingToken)
    maskID = vocabulary.id(of: configuration.maskToken)
    var special: [(bytes: [UInt8], id: Int32)] = []
    for token in [
      configuration.paddingToken, configuration.unknownToken, configuration.classifierToken,
      configuration.separatorToken, configuration.maskToken,
    ] {
      if let id = vocabulary.id(of: token), !special.contains(where: { $0.bytes == Array(token.utf8) }) {
        special.append((Array(token.utf8), id))
      }
    }
    special.sort { $0.bytes.count > $1.bytes.count }
    specialTokens = special
    var firstBytes = [Bool](repeating: false, count: 256)
    for token in special { firstBytes[Int(token.bytes[0])] = true }
    specialFirstBytes = firstBytes
  }

  /// The ids the model sees for `text`: `[CLS]`, the pieces, `[SEP]`, truncated to `maxLength` ids
  /// (at least 2) by dropping pieces from the end.
  public func encode(_ text: String, maxLength: Int) -> [Int32] {
    var ids: [Int32] = []
    ids.reserveCapacity(min(maxLength, text.utf8.count + 2))
    encode(text, maxLength: maxLength, appendingTo: &ids)
    return ids
  }

  /// `encode(_:maxLength:)` appending to `ids`, so a corpus can be tokenized into one flat buffer.
  public func encode(_ text: String, maxLength: Int, appendingTo ids: inout [Int32]) {
    precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
    let limit = ids.count + maxLength - 1
    ids.append(classifierID)
    var text = text
    text.withUTF8 { input in
      BertCharacterClasses.basicPlane.withUnsafeBufferPointer { flags in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: WordPieceRun.wordCapacity) { word in
          var run = WordPieceRun(
            tokenizer: self, flags: flags, word: word.baseAddress!, limit: limit)
          // Swapping hands the buffer over without copying it.
          swap(&run.output, &ids)
          run.tokenize(input)
          swap(&run.output, &ids)
        }
      }
    }
    if ids.count > limit { ids.removeLast(ids.count - limit) }
    ids.append(separatorID)
  }

  /// The vocabulary's text for each id (for showing what the model sees).
  public func tokens(of ids: [Int32]) -> [String] {
    ids.map { $0 >= 0 && Int($0) < vocabulary.count ? vocabulary.tokens[Int($0)] : "<\($0)>" }
  }
}

/// The state of one `encode` call: the word being collected and the ids so far.
private struct WordPieceRun {
  /// Bytes kept of a word: enough for the longest word WordPiece looks at; longer words are `[UNK]`
  /// whatever their content, so only their character count matters.
  static let wordCapacity = (BertTokenizer.maximumWordCharacters + 1) * 4

  /// The flags that make an ASCII byte anything but part of a word.
  static let asciiBoundaries =
    BertCharacterClasses.removed | BertCharacterClasses.cleanedToSpace | BertCharacterClasses.whitespace
    | BertCharacterClasses.punctuation

  let tokenizer: BertTokenizer
  let flags: UnsafeBufferPointer<UInt8>
  let word: UnsafeMutablePointer<UInt8>
  var output: [Int32]
  let limit: Int
  let lowercase: Bool
  let stripAccents: Bool
  let splitChinese: Bool
  var wordLength = 0
  var wordCharacters = 0

  init(
    tokenizer: BertTokenizer, flags: UnsafeBufferPointer<UInt8>, word: UnsafeMutablePointer<UInt8>,
    limit: Int
  ) {
    self.tokenizer = tokenizer
    self.flags = flags
    self.word = word
    self.output = []
    self.limit = limit
    lowercase = tokenizer.configuration.lowercase
    stripAccents = tokenizer.configuration.stripsAccents
    splitChinese = tokenizer.configuration.tokenizeChineseCharacters
  }

  @inline(__always)
  func flagsOf(_ scalar: UInt32) -> UInt8 {
    scalar < 0x10000 ? flags[Int(scalar)] : BertCharacterClasses.astralFlags(of: scalar)
  }

  mutating func tokenize(_ input: UnsafeBufferPointer<UInt8>) {
    guard let base = input.baseAddress else { return }
    let count = input.count
    var index = 0
    while index < count {
      // Once the ids fill the limit, the rest of the text would be truncated away.
      if output.count >= limit { return }
      let lead = base[index]
      if tokenizer.specialFirstBytes[Int(lead)], let special = specialToken(at: index, base, count) {
        flush()
        output.append(special.id)
        index += special.length
        continue
      }
      if lead < 0x80 {
        index += 1
        let scalarFlags = flags[Int(lead)] & WordPieceRun.asciiBoundaries
        if scalarFlags == 0 {
          appendToWord(lowercase && lead >= 0x41 && lead <= 0x5A ? lead | 0x20 : lead)
        } else if scalarFlags & BertCharacterClasses.removed != 0 {
          continue
        } else if scalarFlags & (BertCharacterClasses.cleanedToSpace | BertCharacterClasses.whitespace) != 0 {
          flush()
        } else {
          flush()
          appendToWord(lead)
          flush()
        }
        continue
      }
      let scalar: UInt32
      if lead < 0xE0 {
        scalar = UInt32(lead & 0x1F) << 6 | UInt32(base[index + 1] & 0x3F)
        index += 2
      } else if lead < 0xF0 {
        scalar =
          UInt32(lead & 0x0F) << 12 | UInt32(base[index + 1] & 0x3F) << 6 | UInt32(base[index + 2] & 0x3F)
        index += 3
      } else {
        scalar =
          UInt32(lead & 0x07) << 18 | UInt32(base[index + 1] & 0x3F) << 12 | UInt32(base[index + 2] & 0x3F)
          << 6
          | UInt32(base[index + 3] & 0x3F)
        index += 4
      }
      normalize(scalar)
    }
    flush()
  }

  /// The special token written at `index`, if any (longest first, as Hugging Face matches them).
  func specialToken(at index: Int, _ base: UnsafePointer<UInt8>, _ count: Int) -> (id: Int32, length: Int)? {
    for token in tokenizer.specialTokens where token.bytes.count <= count - index {
      let matches = token.bytes.withUnsafeBufferPointer {
        memcmp($0.baseAddress!, base + index, $0.count) == 0
      }
      if matches { return (token.id, token.bytes.count) }
    }
    return nil
  }

  /// Cleans, sets apart CJK, strips accents and lower-cases one non-ASCII scalar of the input.
  @inline(__always)
  mutating func normalize(_ scalar: UInt32) {
    let scalarFlags = flagsOf(scalar)
    if scalarFlags & BertCharacterClasses.removed != 0 { return }
    if scalarFlags & BertCharacterClasses.cleanedToSpace != 0 {
      flush()
      return
    }
    let setApart = splitChinese && scalarFlags & BertCharacterClasses.chinese != 0
    if setApart { flush() }
    if stripAccents && scalarFlags & BertCharacterClasses.hasStripMapping != 0 {
      BertCharacterClasses.forEachStripped(scalar) { lowercaseAndSplit($0) }
    } else {
      lowercaseAndSplit(scalar)
    }
    if setApart { flush() }
  }

  @inline(__always)
  mutating func lowercaseAndSplit(_ scalar: UInt32) {
    guard lowercase else { return split(scalar) }
    if scalar < 0x80 {
      split(scalar >= 0x41 && scalar <= 0x5A ? scalar | 0x20 : scalar)
    } else if flagsOf(scalar) & BertCharacterClasses.hasLowercaseMapping != 0 {
      BertCharacterClasses.forEachLowercased(scalar) { split($0) }
    } else {
      split(scalar)
    }
  }

  /// The pre-tokenizer: whitespace ends a word, punctuation is a word of its own.
  @inline(__always)
  mutating func split(_ scalar: UInt32) {
    let scalarFlags = flagsOf(scalar)
    if scalarFlags & BertCharacterClasses.whitespace != 0 {
      flush()
    } else if scalarFlags & BertCharacterClasses.punctuation != 0 {
      flush()
      appendScalar(scalar)
      flush()
    } else {
      appendScalar(scalar)
    }
  }

  @inline(__always)
  mutating func appendToWord(_ byte: UInt8) {
    if wordCharacters <= BertTokenizer.maximumWordCharacters {
      word[wordLength] = byte
      wordLength += 1
    }
    wordCharacters += 1
  }

  mutating func appendScalar(_ scalar: UInt32) {
    if scalar < 0x80 { return appendToWord(UInt8(scalar)) }
    if wordCharacters <= BertTokenizer.maximumWordCharacters {
      if scalar < 0x800 {
        word[wordLength] = UInt8(0xC0 | scalar >> 6)
        word[wordLength + 1] = UInt8(0x80 | scalar & 0x3F)
        wordLength += 2
      } else if scalar < 0x10000 {
        word[wordLength] = UInt8(0xE0 | scalar >> 12)
        word[wordLength + 1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
        word[wordLength + 2] = UInt8(0x80 | scalar & 0x3F)
        wordLength += 3
      } else {
        word[wordLength] = UInt8(0xF0 | scalar >> 18)
        word[wordLength + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
        word[wordLength + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
        word[wordLength + 3] = UInt8(0x80 | scalar & 0x3F)
        wordLength += 4
      }
    }
    wordCharacters += 1
  }

  /// Ends the current word: its WordPiece pieces, or `[UNK]`.
  mutating func flush() {
    guard wordCharacters > 0 else { return }
    defer {
      wordLength = 0
      wordCharacters = 0
    }
    if wordCharacters > BertTokenizer.maximumWordCharacters {
      output.append(tokenizer.unknownID)
      return
    }
    let vocabulary = tokenizer.vocabulary
    let firstPiece = output.count
    var start = 0
    while start < wordLength {
      let table = start == 0 ? vocabulary.initial : vocabulary.continuation
      var end = min(wordLength, start + table.longestEntry)
      while end > start && end < wordLength && word[end] & 0xC0 == 0x80 { end -= 1 }
      var found: Int32? = nil
      while end > start {
        if let id = table.lookup(word + start, end - start) {
          found = id
          break
        }
        end -= 1
        while end > start && word[end] & 0xC0 == 0x80 { end -= 1 }
      }
      guard let id = found else {
        output.removeLast(output.count - firstPiece)
        output.append(tokenizer.unknownID)
        return
      }
      output.append(id)
      start = end
    }
  }
}
