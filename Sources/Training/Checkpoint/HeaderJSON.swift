/// A JSON value from a safetensors header, parsed strictly so that duplicate keys and non-integer
/// offsets are reported instead of silently resolved, and so that hostile input cannot recurse deeply.
enum HeaderJSON {
  case null
  case bool(Bool)
  case integer(Int)
  /// A number with a fraction or exponent, or too large for `Int`.
  case number(Double)
  case string(String)
  case array([HeaderJSON])
  /// Members in the order written, duplicates included, so the caller can report them.
  case object([(key: String, value: HeaderJSON)])

  /// A syntax error at a byte offset of the header.
  struct ParseError: Error {
    var message: String
    var offset: Int
  }

  /// Deeper nesting is never needed by a header; the limit keeps fuzzed input off the stack's edge.
  static let maximumDepth = 32

  static func parse(_ bytes: [UInt8]) throws(ParseError) -> HeaderJSON {
    var parser = Parser(bytes: bytes)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    if parser.position < bytes.count {
      throw ParseError(message: "unexpected text after the JSON value", offset: parser.position)
    }
    return value
  }

  /// A short name of the kind of value, for error messages.
  var kind: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .integer, .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0

    mutating func skipWhitespace() {
      while position < bytes.count {
        switch bytes[position] {
        case 0x20, 0x09, 0x0A, 0x0D: position += 1
        default: return
        }
      }
    }

    func fail(_ message: String) -> ParseError { ParseError(message: message, offset: position) }

    mutating func value(depth: Int) throws(ParseError) -> HeaderJSON {
      guard depth < HeaderJSON.maximumDepth else { throw fail("nested more than \(maximumDepth) levels") }
      guard position < bytes.count else { throw fail("unexpected end of the header") }
      switch bytes[position] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
      default: throw fail("unexpected character \(describe(bytes[position]))")
      }
    }

    func describe(_ byte: UInt8) -> String {
      (0x20..<0x7F).contains(byte)
        ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func literal(_ word: String) throws(ParseError) {
      for expected in word.utf8 {
        guard position < bytes.count, bytes[position] == expected else { throw fail("expected '\(word)'") }
        position += 1
      }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ParseError) {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == byte else { throw fail("expected \(what)") }
      position += 1
    }

    mutating func object(depth: Int) throws(ParseError) -> HeaderJSON {
      position += 1
      var members: [(key: String, value: HeaderJSON)] = []
      skipWhitespace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
          throw fail("expected a quoted key")
        }
        let key = try string()
        try expect(UInt8(ascii: ":"), "':' after a key")
        skipWhitespace()
        members.append((key, try value(depth: depth + 1)))
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of the header inside an object") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "}") {
          position += 1
          return .object(members)
        } else {
          throw fail("expected ',' or '}' in an object")
        }
      }
    }

    mutating func array(depth: Int) throws(ParseError) -> HeaderJSON {
      position += 1
      var elements: [HeaderJSON] = []
      skipWhitespace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(elements)
      }
      while true {
        skipWhitespace()
        elements.append(try value(depth: depth + 1))
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of the header inside an array") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "]") {
          position += 1
          return .array(elements)
        } else {
          throw fail("expected ',' or ']' in an array")
        }
      }
    }

    mutating func string() throws(ParseError) -> String {
      position += 1
      var scalars = String.UnicodeScalarView()
      var run: [UInt8] = []
      func flush() {
        if !run.isEmpty {
          scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
          run.removeAll(keepingCapacity: true)
        }
      }
      while true {
        guard position < bytes.count else { throw fail("unterminated string") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""):
          flush()
          return String(scalars)
        case UInt8(ascii: "\\"):
          flush()
          guard position < bytes.count else { throw fail("unterminated escape") }
          let escape = bytes[position]
          position += 1
          switch escape {
          case UInt8(ascii: "\""): scalars.append("\"")
          case UInt8(ascii: "\\"): scalars.append("\\")
          case UInt8(ascii: "/"): scalars.append("/")
          case UInt8(ascii: "b"): scalars.append("\u{08}")
          case UInt8(ascii: "f"): scalars.append("\u{0C}")
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
          default: throw fail("invalid escape \\\(Character(Unicode.Scalar(escape)))")
          }
        case 0..<0x20:
          throw fail("control character in a string")
        default:
          run.append(byte)
        }
      }
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
      var value: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[position]
        let digit: UInt32
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
        default: throw fail("invalid hex digit in a \\u escape")
        }
        value = value * 16 + digit
        position += 1
      }
      return value
    }

    mutating func unicodeEscape() throws(ParseError) -> Unicode.Scalar {
      let high = try hex4()
      if (0xD800..<0xDC00).contains(high) {
        guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
          bytes[position + 1] == UInt8(ascii: "u")
        else { throw fail("unpaired surrogate in a \\u escape") }
        position += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a \\u escape") }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
      }
      guard let scalar = Unicode.Scalar(high) else { throw fail("unpaired surrogate in a \\u escape") }
      return scalar
    }

    mutating func number() throws(ParseError) -> HeaderJSON {
      let start = position
      if bytes[position] == UInt8(ascii: "-") { position += 1 }
      let digitsStart = position
      while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        position += 1
      }
      guard position > digitsStart else { throw fail("expected a digit") }
      if bytes[digitsStart] == UInt8(ascii: "0") && position - digitsStart > 1 {
        throw ParseError(message: "leading zero in a number", offset: digitsStart)
      }
      var isInteger = true
      if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
        isInteger = false
        position += 1
        let fractionStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
          position += 1
        }
        guard position > fractionStart else { throw fail("expected a digit after '.'") }
      }
      if position < bytes.count
        && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E"))
      {
        isInteger = false
        position += 1
        if position < bytes.count
          && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
        {
          position += 1
        }
        let exponentStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
          position += 1
        }
        guard position > exponentStart else { throw fail("expected a digit in an exponent") }
      }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      if isInteger, let integer = Int(text) { return .integer(integer) }
      return .number(Double(text) ?? .infinity)
    }
  }
}
