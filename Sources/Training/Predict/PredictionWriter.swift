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
        buffer += Array(quoted(ids.values[row]).utf8)
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

  /// A probability with six decimals (`0.000123`, `1`), written without going through `String`.
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
    buffer.append(UInt8(ascii: "0"))
    buffer.append(UInt8(ascii: "."))
    var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 6)
    var rest = scaled
    for index in stride(from: 5, through: 0, by: -1) {
      digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
      rest /= 10
    }
    var end = 6
    while end > 1, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
    buffer += digits[..<end]
  }

  /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
