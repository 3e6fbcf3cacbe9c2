import Foundation

/// The tokens of a BERT `vocab.txt` (id = line number - 1), looked up by UTF-8 bytes without building
/// strings: word-initial pieces in one table, `##` continuation pieces (stored without `##`) in another.
public final class WordPieceVocabulary: Sendable {
  /// Token text by id.
  public let tokens: [String]
  let initial: ByteTokenTable
  let continuation: ByteTokenTable

  /// Reads `vocab.txt` as Hugging Face does: one token per line, trailing whitespace trimmed, a later
  /// duplicate taking over the text's id.
  public convenience init(contentsOf url: URL) throws(TokenizerError) {
    let data: Data
    do {
      data = try FileReader.contents(of: url.path)
    } catch {
      if error.code == ENOENT { throw TokenizerError(path: url.path, problem: .missingFile) }
      throw TokenizerError(path: url.path, problem: .unreadable(reason: error.reason))
    }
    try self.init(data: data, source: url.path)
  }

  /// Parses vocabulary bytes; `source` names them in errors.
  public init(data: Data, source: String) throws(TokenizerError) {
    var tokens: [String] = []
    var lineStart = data.startIndex
    var lineNumber = 0
    while lineStart < data.endIndex {
      lineNumber += 1
      let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
      var lineBytes = data[lineStart..<newline]
      if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
      guard let line = String(validating: lineBytes, as: UTF8.self) else {
        throw TokenizerError(path: source, line: lineNumber, problem: .notUTF8)
      }
      tokens.append(Self.trimmingTrailingWhitespace(line))
      lineStart = newline == data.endIndex ? newline : data.index(after: newline)
    }
    guard !tokens.isEmpty else { throw TokenizerError(path: source, problem: .emptyVocabulary) }
    self.tokens = tokens
    var initialEntries: [(bytes: [UInt8], id: Int32)] = []
    var continuationEntries: [(bytes: [UInt8], id: Int32)] = []
    for (id, token) in tokens.enumerated() {
      let bytes = Array(token.utf8)
      if bytes.count > 2 && bytes[0] == UInt8(ascii: "#") && bytes[1] == UInt8(ascii: "#") {
        continuationEntries.append((Array(bytes[2...]), Int32(id)))
      }
      initialEntries.append((bytes, Int32(id)))
    }
    initial = ByteTokenTable(entries: initialEntries)
    continuation = ByteTokenTable(entries: continuationEntries)
  }

  public var count: Int { tokens.count }

  /// The id of a whole token (as written in vocab.txt, `##` included), or nil.
  public func id(of token: String) -> Int32? {
    var token = token
    return token.withUTF8 { initial.lookup($0.baseAddress!, $0.count) }
  }

  /// Rust's `str::trim_end`: drops trailing White_Space scalars.
  static func trimmingTrailingWhitespace(_ line: String) -> String {
    var scalars = Substring(line).unicodeScalars
    while let last = scalars.last,
      BertCharacterClasses.flags(of: last.value) & BertCharacterClasses.whitespace != 0
    {
      scalars.removeLast()
    }
    return String(scalars)
  }
}

/// An open-addressing hash table from byte strings to token ids, in memory it owns.
///
/// `@unchecked Sendable`: every pointer is allocated and filled in `init`, only read afterwards, and
/// freed in `deinit`; none escapes, so sharing the table between threads only ever shares reads.
final class ByteTokenTable: @unchecked Sendable {
  private let slots: UnsafeMutablePointer<Int32>
  private let mask: Int
  private let hashes: UnsafeMutablePointer<UInt32>
  private let offsets: UnsafeMutablePointer<Int32>
  private let lengths: UnsafeMutablePointer<Int32>
  private let ids: UnsafeMutablePointer<Int32>
  private let bytes: UnsafeMutablePointer<UInt8>
  /// Bytes in the longest entry: no longer substring can match.
  let longestEntry: Int

  /// Later entries with the same bytes replace earlier ones, as a Rust `HashMap::insert` does.
  init(entries: [(bytes: [UInt8], id: Int32)]) {
    var capacity = 16
    while capacity < entries.count * 2 { capacity *= 2 }
    let mask = capacity - 1
    let slots = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    slots.initialize(repeating: -1, count: capacity)
    let count = max(entries.count, 1)
    let hashes = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
    let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: count)
    let lengths = UnsafeMutablePointer<Int32>.allocate(capacity: count)
    let ids = UnsafeMutablePointer<Int32>.allocate(capacity: count)
    let bytes = UnsafeMutablePointer<UInt8>.allocate(
      capacity: max(entries.reduce(0) { $0 + $1.bytes.count }, 1))
    var longest = 0
    var offset = 0
    for (index, entry) in entries.enumerated() {
      let length = entry.bytes.count
      entry.bytes.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { (bytes + offset).initialize(from: base, count: length) }
      }
      let hash = Self.hash(bytes + offset, length)
      hashes[index] = hash
      offsets[index] = Int32(offset)
      lengths[index] = Int32(length)
      ids[index] = entry.id
      longest = max(longest, length)
      var slot = Int(hash) & mask
      while true {
        let occupant = Int(slots[slot])
        if occupant < 0
          || (hashes[occupant] == hash && Int(lengths[occupant]) == length
            && memcmp(bytes + Int(offsets[occupant]), bytes + offset, length) == 0)
        {
          slots[slot] = Int32(index)
          break
        }
        slot = (slot + 1) & mask
      }
      offset += length
    }
    self.mask = mask
    self.slots = slots
    self.hashes = hashes
    self.offsets = offsets
    self.lengths = lengths
    self.ids = ids
    self.bytes = bytes
    longestEntry = longest
  }

  deinit {
    slots.deallocate()
    hashes.deallocate()
    offsets.deallocate()
    lengths.deallocate()
    ids.deallocate()
    bytes.deallocate()
  }

  /// FNV-1a over the bytes: short keys, so a byte loop is as fast as anything wider.
  @inline(__always)
  static func hash(_ start: UnsafePointer<UInt8>?, _ count: Int) -> UInt32 {
    var hash: UInt32 = 2_166_136_261
    guard let start else { return hash }
    for index in 0..<count { hash = (hash ^ UInt32(start[index])) &* 16_777_619 }
    return hash
  }

  /// The id of exactly these bytes, or nil.
  @inline(__always)
  func lookup(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
    let hash = Self.hash(start, count)
    var slot = Int(hash) & mask
    while true {
      let entry = Int(slots[slot])
      if entry < 0 { return nil }
      if hashes[entry] == hash && Int(lengths[entry]) == count
        && memcmp(bytes + Int(offsets[entry]), start, count) == 0
      {
        return ids[entry]
      }
      slot = (slot + 1) & mask
    }
  }
}
