/// A key's value in transit between text, YAML and `HyperParameters`, so parsing and range
/// checks are written once for the loader, `--set`, the form and `validate()`.
enum ConfigValue: Equatable, Sendable {
  case number(Double)
  case integer(Int)
  case flag(Bool)
  case text(String)
  case integers([Int])
  case names([String])

  /// The form's and `--set`'s spelling; lists are comma-separated and an empty list is empty text.
  var display: String {
    switch self {
    case .number(let value): return formatNumber(value)
    case .integer(let value): return value == HyperParameters.allSamples ? "all" : String(value)
    case .flag(let value): return value ? "true" : "false"
    case .text(let value): return value
    case .integers(let values): return values.map(String.init).joined(separator: ", ")
    case .names(let values): return values.joined(separator: ", ")
    }
  }

  /// The YAML spelling: lists in flow style, text quoted when YAML would misread it.
  var yaml: String {
    switch self {
    case .number, .integer, .flag: return display
    case .text(let value): return yamlScalar(value)
    case .integers(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
    case .names(let values): return "[" + values.map(yamlScalar).joined(separator: ", ") + "]"
    }
  }
}

/// Plain when that reads back as the same string, double-quoted otherwise (`:`, `#`, spaces, `[`).
func yamlScalar(_ text: String) -> String {
  let safe = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./+".contains($0)) }
  let nullWords: Set<String> = ["null", "Null", "NULL", "~"]
  if safe, let first = text.first, first.isLetter || first.isNumber || "_./".contains(first),
    !nullWords.contains(text)
  {
    return text
  }
  var quoted = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": quoted += "\\\""
    case "\\": quoted += "\\\\"
    case "\n": quoted += "\\n"
    case "\t": quoted += "\\t"
    case "\r": quoted += "\\r"
    default:
      // YAML rejects control characters (C0, DEL, C1) and U+FFFE/U+FFFF in a document, and reads
      // NEL (U+0085), LS (U+2028) and PS (U+2029) as line breaks even inside quotes, where a break
      // folds into a space, so those are written as escapes.
      if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
        quoted += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
      } else if [0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF].contains(scalar.value) {
        quoted += "\\u" + String(scalar.value, radix: 16)
      } else {
        quoted.unicodeScalars.append(scalar)
      }
    }
  }
  return quoted + "\""
}

/// Quotes a bad value in a message so that `"big"`, `""` and `" 3"` are told apart from numbers.
func quotedForMessage(_ text: String) -> String {
  "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
