/// Short, fixed-style number and time formats for narrow terminal columns.
public enum NumberFormat {
  /// A number in at most about 6 columns: `0`, `0.42`, `3.14`, `42.1`, `512`, `3.1k`, `12M`, `1e-3`, `2.5e-4`.
  public static func compact(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-∞" : "∞" }
    if value == 0 { return "0" }
    let sign = value < 0 ? "-" : ""
    let magnitude = abs(value)
    if magnitude >= 999.5 {
      let units: [(Double, String)] = [(1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")]
      // Pick the largest unit that keeps the mantissa at or above 1 after rounding.
      var chosen = units[0]
      for unit in units where magnitude / unit.0 >= 0.9995 { chosen = unit }
      let mantissa = magnitude / chosen.0
      if mantissa >= 999.5 { return sign + scientific(magnitude) }
      return sign + significant(mantissa, digits: 2, maxDecimals: 1) + chosen.1
    }
    if magnitude >= 0.01 { return sign + significant(magnitude, digits: 3, maxDecimals: 3) }
    return sign + scientific(magnitude)
  }

  /// `value` rounded to `decimals` places with trailing zeros kept (`fixed(0.5, 3)` is `0.500`).
  public static func fixed(_ value: Double, decimals: Int) -> String {
    if !value.isFinite { return compact(value) }
    let scale = power10(decimals)
    let scaled = (abs(value) * scale).rounded()
    let sign = value < 0 && scaled != 0 ? "-" : ""
    if decimals <= 0 { return sign + integerString(scaled) }
    let whole = (scaled / scale).rounded(.towardZero)
    let fraction = scaled - whole * scale
    var digits = integerString(fraction)
    while digits.count < decimals { digits = "0" + digits }
    return sign + integerString(whole) + "." + digits
  }

  /// A duration as the two most significant units: `0.4s`, `12s`, `1m05s`, `2h03m`, `3d04h`; `--`
  /// when unknown. Below ten seconds it keeps a tenth, since short runs of the small task take under one.
  public static func duration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "--" }
    if seconds < 9.95 { return fixed(seconds, decimals: 1) + "s" }
    let total = Int(seconds.rounded())
    let (days, hours, minutes, secs) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if days > 0 { return "\(days)d\(two(hours))h" }
    if hours > 0 { return "\(hours)h\(two(minutes))m" }
    if minutes > 0 { return "\(minutes)m\(two(secs))s" }
    return "\(secs)s"
  }

  /// A count such as a parameter count: `784`, `12.3k`, `1.2M`.
  public static func count(_ value: Int) -> String {
    value < 1000 && value > -1000 ? "\(value)" : compact(Double(value))
  }

  /// A fraction in 0…1 as a percentage with one decimal: `91.2%`.
  public static func percent(_ fraction: Double) -> String {
    fraction.isFinite ? fixed(fraction * 100, decimals: 1) + "%" : "--"
  }

  /// A rate per second: `850/s`, `1.2k/s`.
  public static func rate(_ perSecond: Double) -> String {
    perSecond.isFinite && perSecond >= 0 ? compact(perSecond) + "/s" : "--"
  }

  /// A learning-rate multiplier: `×1`, `×0.5`, `×0.25`.
  public static func multiplier(_ value: Double) -> String { "×" + compact(value) }

  // MARK: - Helpers

  /// Rounds to `digits` significant digits, at most `maxDecimals` places, and trims trailing zeros.
  static func significant(_ value: Double, digits: Int, maxDecimals: Int) -> String {
    var integerDigits = 1
    var probe = value
    while probe >= 10 {
      probe /= 10
      integerDigits += 1
    }
    var decimals = max(0, min(maxDecimals, digits - integerDigits))
    if value < 1 {
      // Leading zeros after the point do not count as significant digits.
      var leading = 0
      var small = value
      while small < 0.1 && leading < 6 {
        small *= 10
        leading += 1
      }
      decimals = min(maxDecimals, leading + digits - 1)
      decimals = max(decimals, min(2, maxDecimals))
    }
    return trimZeros(fixed(value, decimals: decimals))
  }

  /// `1e-3`, `2.5e-4`, `1.2e15`: a mantissa with at most one decimal.
  static func scientific(_ value: Double) -> String {
    var exponent = 0
    var mantissa = value
    while mantissa >= 10 {
      mantissa /= 10
      exponent += 1
    }
    while mantissa < 1 {
      mantissa *= 10
      exponent -= 1
    }
    mantissa = (mantissa * 10).rounded() / 10
    if mantissa >= 10 {
      mantissa /= 10
      exponent += 1
    }
    return trimZeros(fixed(mantissa, decimals: 1)) + "e\(exponent)"
  }

  static func trimZeros(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var result = Substring(text)
    while result.hasSuffix("0") { result = result.dropLast() }
    if result.hasSuffix(".") { result = result.dropLast() }
    return String(result)
  }

  static func power10(_ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<max(0, n) { result *= 10 }
    return result
  }

  static func integerString(_ value: Double) -> String {
    value < 9e18 ? String(Int64(value)) : "\(value)"
  }
}
