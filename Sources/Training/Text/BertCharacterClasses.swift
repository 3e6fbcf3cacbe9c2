/// How Hugging Face's BERT normalizer and pre-tokenizer treat each Unicode scalar, looked up in O(1) for
/// the Basic Multilingual Plane and by binary search above it.
enum BertCharacterClasses {
  static let removed: UInt8 = 1
  static let cleanedToSpace: UInt8 = 2
  static let whitespace: UInt8 = 4
  static let punctuation: UInt8 = 8
  static let chinese: UInt8 = 16
  static let hasStripMapping: UInt8 = 32
  static let hasLowercaseMapping: UInt8 = 64

  /// Flags of every BMP scalar, built once from the range tables.
  static let basicPlane: [UInt8] = {
    var flags = [UInt8](repeating: 0, count: 0x10000)
    func mark(_ ranges: [UInt32], _ flag: UInt8) {
      for pair in stride(from: 0, to: ranges.count, by: 2) where ranges[pair] < 0x10000 {
        for scalar in ranges[pair]...min(ranges[pair + 1], 0xFFFF) { flags[Int(scalar)] |= flag }
      }
    }
    mark(BertUnicodeTables.removedRanges, removed)
    mark(BertUnicodeTables.cleanedToSpaceRanges, cleanedToSpace)
    mark(BertUnicodeTables.whitespaceRanges, whitespace)
    mark(BertUnicodeTables.punctuationRanges, punctuation)
    mark(chineseRanges, chinese)
    for key in BertUnicodeTables.stripAccentsKeys where key < 0x10000 { flags[Int(key)] |= hasStripMapping }
    for scalar in 0xAC00...0xD7A3 { flags[scalar] |= hasStripMapping }
    for key in BertUnicodeTables.lowercaseKeys where key < 0x10000 { flags[Int(key)] |= hasLowercaseMapping }
    return flags
  }()

  /// BERT's "Chinese characters": the CJK Unified Ideographs blocks, split into single-character words.
  /// The same ranges as Hugging Face tokenizers' `is_chinese_char` (0x2B920, not 0x2B820, starts the sixth).
  static let chineseRanges: [UInt32] = [
    0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFAFF, 0x20000, 0x2A6DF, 0x2A700, 0x2B73F, 0x2B740, 0x2B81F,
    0x2B920, 0x2CEAF, 0x2F800, 0x2FA1F,
  ]

  @inline(__always)
  static func flags(of scalar: UInt32) -> UInt8 {
    if scalar < 0x10000 { return basicPlane[Int(scalar)] }
    return astralFlags(of: scalar)
  }

  static func astralFlags(of scalar: UInt32) -> UInt8 {
    var flags: UInt8 = 0
    if contains(BertUnicodeTables.removedRanges, scalar) { flags |= removed }
    if contains(BertUnicodeTables.cleanedToSpaceRanges, scalar) { flags |= cleanedToSpace }
    if contains(BertUnicodeTables.whitespaceRanges, scalar) { flags |= whitespace }
    if contains(BertUnicodeTables.punctuationRanges, scalar) { flags |= punctuation }
    if contains(chineseRanges, scalar) { flags |= chinese }
    if index(of: scalar, in: BertUnicodeTables.stripAccentsKeys) != nil { flags |= hasStripMapping }
    if index(of: scalar, in: BertUnicodeTables.lowercaseKeys) != nil { flags |= hasLowercaseMapping }
    return flags
  }

  /// Whether `scalar` lies in one of the inclusive ranges (flat lower, upper pairs, sorted).
  static func contains(_ ranges: [UInt32], _ scalar: UInt32) -> Bool {
    var low = 0
    var high = ranges.count / 2
    while low < high {
      let middle = (low + high) / 2
      if ranges[2 * middle + 1] < scalar {
        low = middle + 1
      } else {
        high = middle
      }
    }
    return low < ranges.count / 2 && ranges[2 * low] <= scalar
  }

  static func index(of scalar: UInt32, in keys: [UInt32]) -> Int? {
    var low = 0
    var high = keys.count
    while low < high {
      let middle = (low + high) / 2
      if keys[middle] < scalar { low = middle + 1 } else { high = middle }
    }
    return low < keys.count && keys[low] == scalar ? low : nil
  }

  /// Calls `body` with the canonical decomposition of `scalar` minus non-spacing marks (possibly none).
  @inline(__always)
  static func forEachStripped(_ scalar: UInt32, _ body: (UInt32) -> Void) {
    if scalar >= 0xAC00 && scalar <= 0xD7A3 {
      // Hangul syllables decompose arithmetically into two or three jamo.
      let index = scalar - 0xAC00
      body(0x1100 + index / 588)
      body(0x1161 + (index % 588) / 28)
      if index % 28 != 0 { body(0x11A7 + index % 28) }
      return
    }
    guard let entry = index(of: scalar, in: BertUnicodeTables.stripAccentsKeys) else {
      body(scalar)
      return
    }
    let start = Int(BertUnicodeTables.stripAccentsStarts[entry])
    let end = Int(BertUnicodeTables.stripAccentsStarts[entry + 1])
    for position in start..<end { body(BertUnicodeTables.stripAccentsValues[position]) }
  }

  /// Calls `body` with the lower-case mapping of `scalar` (one or more scalars).
  @inline(__always)
  static func forEachLowercased(_ scalar: UInt32, _ body: (UInt32) -> Void) {
    guard let entry = index(of: scalar, in: BertUnicodeTables.lowercaseKeys) else {
      body(scalar)
      return
    }
    let start = Int(BertUnicodeTables.lowercaseStarts[entry])
    let end = Int(BertUnicodeTables.lowercaseStarts[entry + 1])
    for position in start..<end { body(BertUnicodeTables.lowercaseValues[position]) }
  }
}
