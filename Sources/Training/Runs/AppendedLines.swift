import Foundation

/// Follows an append-only file of a run (`metrics.csv`, `steps.csv`, `events.jsonl`): each `read()`
/// returns the complete lines added since the last one and never rereads what was read. A torn last
/// line waits for its newline.
public final class AppendedLines {
  public let url: URL
  /// Bytes consumed so far: the end of the last complete line read.
  public private(set) var offset: Int64
  /// Complete lines returned so far, so messages can name a line.
  public private(set) var lineCount = 0

  /// Follows `url` from `offset` (0: from its start; a file's size: only what is appended later).
  public init(url: URL, offset: Int64 = 0) {
    self.url = url
    self.offset = offset
  }

  /// The current size of the file, or nil when it does not exist yet.
  public static func size(of url: URL) -> Int64? {
    var info = stat()
    return stat(url.path, &info) == 0 ? Int64(info.st_size) : nil
  }

  /// The complete lines appended since the last call. A file that shrank was replaced or truncated:
  /// it is read again from its start.
  public func read() -> [String] {
    guard let size = Self.size(of: url) else { return [] }
    if size < offset {
      offset = 0
      lineCount = 0
    }
    guard size > offset else { return [] }
    let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    let count = Int(size - offset)
    var bytes = [UInt8](repeating: 0, count: count)
    let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
    guard read > 0, let lastNewline = bytes[..<read].lastIndex(of: UInt8(ascii: "\n")) else { return [] }
    offset += Int64(lastNewline + 1)
    let lines = bytes[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) }
    lineCount += lines.count
    return lines
  }
}
