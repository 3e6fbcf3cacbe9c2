#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Decimal text to `Float` without creating a `String`, for reading millions of table cells.
///
/// Plain decimals with at most 19 significant digits and a power of ten within ±22 are converted
/// exactly as `strtod` would (Clinger's fast path: both the mantissa and 10^k are exact doubles,
/// so one IEEE multiplication or division rounds correctly), then rounded to `Float`. Everything
/// else — long mantissas, large exponents, `inf`, hexadecimal — goes to `strtod` itself.
enum NumberParsing {
  static let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
  }

  /// The number in `bytes` (no surrounding spaces), or nil when it is not entirely a number.
  static func float(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
    guard let value = double(bytes) else { return nil }
    return Float(value)
  }

  static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    let count = bytes.count
    guard count > 0 else { return nil }
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
      negative = bytes[0] == UInt8(ascii: "-")
      index = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var significant = 0
    var exponent = 0
    var sawDot = false
    while index < count {
      let byte = bytes[index]
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        digits += 1
        if mantissa == 0 && byte == UInt8(ascii: "0") {
          if sawDot { exponent -= 1 }
        } else if significant < 19 {
          mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
          significant += 1
          if sawDot { exponent -= 1 }
        } else {
          return slow(bytes)
        }
      } else if byte == UInt8(ascii: "."), !sawDot {
        sawDot = true
      } else {
        break
      }
      index += 1
    }
    guard digits > 0 else { return slow(bytes) }
    if index < count {
      guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else { return nil }
      index += 1
      var exponentNegative = false
      if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
        exponentNegative = bytes[index] == UInt8(ascii: "-")
        index += 1
      }
      guard index < count else { return nil }
      var written = 0
      while index < count {
        let byte = bytes[index]
        guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
        written = min(written * 10 + Int(byte - UInt8(ascii: "0")), 100_000)
        index += 1
      }
      exponent += exponentNegative ? -written : written
    }
    guard mantissa <= 1 << 53, abs(exponent) <= 22 else { return slow(bytes) }
    var value = Double(mantissa)
    value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
    return negative ? -value : value
  }

  /// `strtod` on a NUL-terminated copy; nil unless it consumes every byte.
  private static func slow(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    guard bytes.count < 512 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
      for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
      buffer[bytes.count] = 0
      var end: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(buffer.baseAddress!, &end)
      guard let end, end - buffer.baseAddress! == bytes.count else { return nil }
      return value
    }
  }

  /// The number in `text`, trimmed of spaces, by the same rules.
  static func float(_ text: String) -> Float? {
    var text = text
    return text.withUTF8 { float(trimmed($0)) }
  }

  /// `bytes` without leading and trailing spaces and tabs.
  static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0
    var end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
  }
}
