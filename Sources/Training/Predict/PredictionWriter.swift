/// Writes predictions as CSV: the input's id column if any, the predicted class name, and `p_<class>`
/// per class; RFC 4180 quoting where a name or id needs it.
public enum PredictionWriter {
  /// `unreadable` rows get an empty prediction, so the output keeps every input row in order.
  public static func csv(
    ids: (name: String, values: [String])?, classes: [String], probabilities: Matrix, unreadable: Set<Int>,
    write: (ArraySlice<UInt8>) -> Void
  ) {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    var header: [String] = []
    if let ids { header.append(ids.name) }
    header.append("predicted")
    header += classes.map { "p_\($0)" }
    buffer += Array(header.map(quoted).joined(separator: ",").utf8)
    buffer.append(0x0A)
    let quotedClasses = classes.map { Array(quoted($0).utf8) }
    let width = classes.count
    for row in 0..<probabilities.rows {
      if let ids {
        buffer.append(contentsOf: quoted(ids.values[row]).utf8)
        buffer.append(UInt8(ascii: ","))
      }
      if unreadable.contains(row) {
        buffer += Array(repeating: UInt8(ascii: ","), count: width)
      } else {
        let base = row * width
        var best = 0
        for k in 1..<width where probabilities.storage[base + k] > probabilities.storage[base + best] {
          best = k
        }
        buffer += quotedClasses[best]
        for k in 0..<width {
          buffer.append(UInt8(ascii: ","))
          appendProbability(probabilities.storage[base + k], to: &buffer)
        }
      }
      buffer.append(0x0A)
      if buffer.count > (1 << 20) - 4096 {
        write(buffer[...])
        buffer.removeAll(keepingCapacity: true)
      }
    }
    write(buffer[...])
  }

  /// A probability with six decimals (`0.000123`, `1`), written without going through `String`
  /// and without a heap allocation (ten million of them for a million rows of ten classes).
  static func appendProbability(_ value: Float, to buffer: inout [UInt8]) {
    let scaled = Int((Double(value) * 1_000_000).rounded())
    if scaled >= 1_000_000 {
      buffer.append(UInt8(ascii: "1"))
      return
    }
    if scaled <= 0 {
      buffer.append(UInt8(ascii: "0"))
      return
    }
    // Trailing zeros are dropped: 0.25 rather than 0.250000.
    var rest = scaled
    var digits = 6
    while rest % 10 == 0 {
      rest /= 10
      digits -= 1
    }
    buffer.append(UInt8(ascii: "0"))
    buffer.append(UInt8(ascii: "."))
    let start = buffer.count
    buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
    var index = start + digits - 1
    while rest > 0 {
      buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
      rest /= 10
      index -= 1
    }
  }

  /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
