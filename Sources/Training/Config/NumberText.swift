import Foundation

/// The shortest text that reads back as the same value, without Swift's `1.0` and `1e-05` noise,
/// because these strings end up in config files people edit by hand.
func formatNumber(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
  let text = "\(value)"
  guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
  var mantissa = String(text[..<e])
  if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
  var exponent = Substring(text[text.index(after: e)...])
  var sign = ""
  if exponent.first == "-" || exponent.first == "+" {
    if exponent.first == "-" { sign = "-" }
    exponent = exponent.dropFirst()
  }
  while exponent.count > 1, exponent.first == "0" { exponent = exponent.dropFirst() }
  return "\(mantissa)e\(sign)\(exponent)"
}

/// `3e-3` rather than `0.003` when that is shorter: run names have little room.
func compactNumber(_ value: Double) -> String {
  let plain = formatNumber(value)
  guard value != 0, value.isFinite else { return plain }
  var exponent = Int(floor(log10(abs(value))))
  var mantissa = roundedToSignificantDigits(value / pow(10, Double(exponent)), 3)
  if abs(mantissa) >= 10 {
    mantissa /= 10
    exponent += 1
  }
  let scientific = "\(formatNumber(mantissa))e\(exponent)"
  return scientific.count < plain.count ? scientific : plain
}

/// Rounds so that log-scale stepping yields 0.00126 rather than 0.0012589254117941673.
func roundedToSignificantDigits(_ value: Double, _ digits: Int) -> Double {
  guard value != 0, value.isFinite else { return value }
  let shift = digits - 1 - Int(floor(log10(abs(value))))
  // Dividing or multiplying by an exact power of ten keeps the result the double nearest the decimal.
  if shift >= 0 {
    let scale = pow(10, Double(shift))
    return (value * scale).rounded() / scale
  }
  let scale = pow(10, Double(-shift))
  return (value / scale).rounded() * scale
}

/// Parses a number the way a person writes it in YAML or on the command line: `1e-3`, `.5`, `1_000`.
func parseNumber(_ text: String) -> Double? {
  let trimmed = text.trimmingCharacters(in: .whitespaces)
  guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
    return nil
  }
  if let value = Double(trimmed) { return value }
  // YAML 1.1 allows digit-grouping underscores; Double does not.
  if trimmed.contains("_"), let value = Double(trimmed.replacingOccurrences(of: "_", with: "")) {
    return value
  }
  return nil
}
