import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The byte-level fast path of `TableReader` for plain files: no quotes, ASCII only, every cell of
/// a non-text column a number or a missing-value word, every row as wide as the first.
///
/// It streams the file in 1 MiB blocks into one row-major `[Float]` sized from the file's length, so
/// a million-row table costs its floats and little more. Anything it does not handle returns nil and
/// the caller re-reads the file with CSV.swift, which reports errors; the two agree on every file
/// the fast path accepts (tested).
struct FastTableReader {
  private var source: String
  private var textColumns: TableReader.TextColumns
  private var pendingFirst: (cells: [String], line: Int)?
  private var names: [String] = []
  private var hasHeader = false
  private var isText: [Bool] = []
  private var numericCount = 0
  private var lines: [Int] = []
  private var numbers: [Float] = []
  private var textCells: [Int: [String]] = [:]
  private var expectedBytes: Int
  private let powersOfTen = NumberParsing.powersOfTen

  private init(source: String, expectedBytes: Int, textColumns: @escaping TableReader.TextColumns) {
    self.source = source
    self.expectedBytes = expectedBytes
    self.textColumns = textColumns
  }

  static func read(path: String, textColumns: @escaping TableReader.TextColumns) throws -> RawTable? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var reader = FastTableReader(source: path, expectedBytes: Int(info.st_size), textColumns: textColumns)
    let blockSize = 1 << 20
    var buffer = [UInt8](repeating: 0, count: blockSize)
    var carried = 0
    var lineNumber = 1
    while true {
      if carried == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
      let count = buffer.withUnsafeMutableBytes {
        Glibc.read(fd, $0.baseAddress! + carried, $0.count - carried)
      }
      if count < 0 {
        if errno == EINTR { continue }
        return nil
      }
      let end = carried + count
      let atEnd = count == 0
      let consumed: Int? = buffer.withUnsafeBufferPointer { bytes in
        reader.consume(UnsafeBufferPointer(rebasing: bytes[..<end]), final: atEnd, lineNumber: &lineNumber)
      }
      guard let consumed else { return nil }
      if atEnd { break }
      carried = end - consumed
      if carried > 0, consumed > 0 {
        buffer.withUnsafeMutableBufferPointer { bytes in
          bytes.baseAddress!.update(from: bytes.baseAddress! + consumed, count: carried)
        }
      }
    }
    return reader.finish()
  }

  static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, source: String, textColumns: @escaping TableReader.TextColumns
  ) -> RawTable? {
    var reader = FastTableReader(source: source, expectedBytes: bytes.count, textColumns: textColumns)
    var lineNumber = 1
    guard reader.consume(bytes, final: true, lineNumber: &lineNumber) != nil else { return nil }
    return reader.finish()
  }

  /// Parses the whole lines in `bytes` (all of it when `final`); returns how many bytes were used,
  /// or nil to give up.
  private mutating func consume(
    _ bytes: UnsafeBufferPointer<UInt8>, final: Bool, lineNumber: inout Int
  ) -> Int? {
    var start = 0
    if lineNumber == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    let base = bytes.baseAddress!
    while start < bytes.count {
      let remaining = bytes.count - start
      let newline = memchr(base + start, 0x0A, remaining)
      let lineEnd: Int
      if let newline {
        lineEnd = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - base
      } else if final {
        lineEnd = bytes.count
      } else {
        return start
      }
      var contentEnd = lineEnd
      if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
      guard line(UnsafeBufferPointer(rebasing: bytes[start..<contentEnd]), number: lineNumber) else {
        return nil
      }
      lineNumber += 1
      start = lineEnd + 1
    }
    return bytes.count
  }

  /// One line; false gives up on the file.
  private mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) -> Bool {
    if bytes.isEmpty { return true }
    // Data rows are checked for quotes and non-ASCII bytes as they are parsed; before the header
    // question is settled, and for lines that start blank, the whole line is looked at first.
    if names.isEmpty || bytes[0] == 0x20 || bytes[0] == 0x09 {
      var blank = true
      for byte in bytes {
        if byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == 0x0D { return false }
        if byte != 0x20 && byte != 0x09 { blank = false }
      }
      if blank { return true }
    }
    if names.isEmpty {
      let cells = Self.cells(bytes)
      guard let first = pendingFirst else {
        if cells.count < 2 { return false }
        pendingFirst = (cells, number)
        return true
      }
      guard start(first: first.cells, next: cells) else { return false }
      if !hasHeader, !row(cells: first.cells, number: first.line) { return false }
    }
    return row(bytes, number: number)
  }

  private mutating func start(first: [String], next: [String]?) -> Bool {
    hasHeader = TableReader.isHeader(first, next: next)
    names = hasHeader ? first : TableReader.defaultNames(first.count)
    if hasHeader, names.filter({ $0.lowercased() == "label" }).count > 1 { return false }
    let text = textColumns(names, hasHeader)
    isText = names.indices.map { text.contains($0) }
    numericCount = isText.filter { !$0 }.count
    for column in text { textCells[column] = [] }
    // Bytes per line of the first row, to size the storage once for the whole file.
    let estimatedRows = max(16, expectedBytes / max(8, first.joined(separator: ",").utf8.count + 1))
    numbers.reserveCapacity(Int(Double(estimatedRows) * 1.05) * numericCount)
    lines.reserveCapacity(Int(Double(estimatedRows) * 1.05))
    return true
  }

  private mutating func row(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) -> Bool {
    let comma = UInt8(ascii: ",")
    let count = bytes.count
    guard count > 0, let base = bytes.baseAddress else { return false }
    var index = 0
    for column in 0..<names.count {
      if column > 0 {
        guard index < count, base[index] == comma else { return false }
        index += 1
      }
      if !isText[column], let (value, next) = plainNumber(base, from: index, count: count) {
        numbers.append(value)
        index = next
        continue
      }
      // Text, a missing word, or a number the one-pass parser leaves to strtod.
      var end = index
      while end < count, base[end] != comma {
        let byte = base[end]
        if byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == 0x0D { return false }
        end += 1
      }
      let cell = NumberParsing.trimmed(UnsafeBufferPointer(start: base + index, count: end - index))
      if isText[column] {
        textCells[column]!.append(String(decoding: cell, as: UTF8.self))
      } else if let value = NumberParsing.float(cell), value.isFinite {
        numbers.append(value)
      } else if Self.isMissing(cell) {
        numbers.append(.nan)
      } else {
        return false
      }
      index = end
    }
    guard index == count else { return false }
    lines.append(number)
    return true
  }

  /// A plain decimal cell starting at `start`, parsed in one pass exactly as `NumberParsing.double`
  /// does (the same digits, the same Clinger fast path); nil leaves the cell to the general code.
  @inline(__always)
  private func plainNumber(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> (Float, Int)? {
    var index = start
    while index < count, base[index] == 0x20 || base[index] == 0x09 { index += 1 }
    var negative = false
    if index < count, base[index] == UInt8(ascii: "-") || base[index] == UInt8(ascii: "+") {
      negative = base[index] == UInt8(ascii: "-")
      index += 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var significant = 0
    var exponent = 0
    var sawDot = false
    while index < count {
      let digit = base[index] &- UInt8(ascii: "0")
      if digit < 10 {
        digits += 1
        if mantissa == 0 && digit == 0 {
          if sawDot { exponent -= 1 }
        } else if significant < 19 {
          mantissa = mantissa &* 10 &+ UInt64(digit)
          significant += 1
          if sawDot { exponent -= 1 }
        } else {
          return nil
        }
      } else if base[index] == UInt8(ascii: "."), !sawDot {
        sawDot = true
      } else {
        break
      }
      index += 1
    }
    guard digits > 0 else { return nil }
    if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
      index += 1
      var exponentNegative = false
      if index < count, base[index] == UInt8(ascii: "-") || base[index] == UInt8(ascii: "+") {
        exponentNegative = base[index] == UInt8(ascii: "-")
        index += 1
      }
      var written = 0
      var exponentDigits = 0
      while index < count {
        let digit = base[index] &- UInt8(ascii: "0")
        guard digit < 10 else { break }
        written = min(written * 10 + Int(digit), 100_000)
        exponentDigits += 1
        index += 1
      }
      guard exponentDigits > 0 else { return nil }
      exponent += exponentNegative ? -written : written
    }
    while index < count, base[index] == 0x20 || base[index] == 0x09 { index += 1 }
    guard index == count || base[index] == UInt8(ascii: ","), mantissa <= 1 << 53, abs(exponent) <= 22 else {
      return nil
    }
    var value = Double(mantissa)
    value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
    return (Float(negative ? -value : value), index)
  }

  private mutating func finish() -> RawTable? {
    if names.isEmpty {
      guard let first = pendingFirst else { return nil }
      guard start(first: first.cells, next: nil) else { return nil }
      if !hasHeader, !row(cells: first.cells, number: first.line) { return nil }
    }
    guard !lines.isEmpty else { return nil }
    return RawTable(
      source: source, names: names, hasHeader: hasHeader, lines: lines,
      numericColumns: isText.indices.filter { !isText[$0] }, numbers: numbers, textColumns: textCells)
  }

  private static func isMissing(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
    if cell.isEmpty { return true }
    guard cell.count <= 4 else { return false }
    return MissingValue.isMissing(String(decoding: cell, as: UTF8.self))
  }

  private static func cells(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
      String(decoding: NumberParsing.trimmed(UnsafeBufferPointer(rebasing: $0)), as: UTF8.self)
    }
  }

  /// Feeds the first row through `row` once the header question is settled.
  private mutating func row(cells: [String], number: Int) -> Bool {
    let joined = Array(cells.joined(separator: ",").utf8)
    return joined.withUnsafeBufferPointer { row($0, number: number) }
  }
}
