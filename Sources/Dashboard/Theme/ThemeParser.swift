/// Reads btop's theme format: `theme[slot]="#rrggbb"` lines, `#` comments and blank lines.
///
/// Accepted values: `"#rrggbb"`, `"#rgb"`, btop's grey `"#gg"`, btop's decimal `"r g b"`, and `""` for the
/// terminal's default colour. Quotes are optional.
public enum ThemeParser {
  /// The theme and any warnings (unknown slots, repeated slots, an empty file).
  public struct Result: Equatable, Sendable {
    public var theme: Theme
    public var warnings: [ThemeDiagnostic]
  }

  static let expectedForm = ##"expected "#rrggbb", "#rgb" or "" (terminal default)"##

  /// Parses raw file bytes, rejecting binary data with a clear message before looking at lines.
  public static func parse(bytes: [UInt8], file: String, name: String? = nil) throws(ThemeError) -> Result {
    if let offset = bytes.firstIndex(where: {
      $0 == 0 || ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D)
    }) {
      throw ThemeError([
        ThemeDiagnostic(
          file: file, line: nil,
          message:
            "not a theme file: it contains binary data (byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset))"
        )
      ])
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw ThemeError([
        ThemeDiagnostic(file: file, line: nil, message: "not a theme file: it is not valid UTF-8 text")
      ])
    }
    var result = try parse(text: text, file: file, fallback: Theme.builtInDefault)
    result.theme.name = name ?? themeName(fromFile: file)
    return result
  }

  /// Parses theme text. Slots the file does not set come from `fallback` (nil only for the default itself).
  public static func parse(text: String, file: String, fallback: Theme?) throws(ThemeError) -> Result {
    var colors = fallback?.colors ?? [:]
    var warnings: [ThemeDiagnostic] = []
    var errors: [ThemeDiagnostic] = []
    var firstLineOfSlot: [String: Int] = [:]
    var assignments = 0

    // "\r\n" is one Character in Swift, so splitting on "\n" alone would read a file with
    // Windows line endings as a single line.
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    for (index, rawLine) in lines.enumerated() {
      let lineNumber = index + 1
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let (slot, value) = splitAssignment(line) else {
        errors.append(
          ThemeDiagnostic(
            file: file, line: lineNumber,
            message:
              "cannot read \"\(TextFit.truncate(String(line), to: 40))\"; expected theme[slot]=\"#rrggbb\""))
        continue
      }
      assignments += 1
      guard let role = ColorRole(themeSlot: slot) else {
        let known = ColorRole.allCases.map(\.themeSlot)
        let suggestion = nearest(slot, in: known).map { " (did you mean \($0)?)" } ?? ""
        warnings.append(
          ThemeDiagnostic(
            file: file, line: lineNumber, message: "unknown slot \"\(slot)\" is ignored\(suggestion)"))
        continue
      }
      guard let color = parseColor(value) else {
        errors.append(
          ThemeDiagnostic(
            file: file, line: lineNumber,
            message: "theme[\(slot)]: \"\(TextFit.truncate(value, to: 30))\" is not a colour; \(expectedForm)"
          ))
        continue
      }
      if let first = firstLineOfSlot[slot] {
        warnings.append(
          ThemeDiagnostic(
            file: file, line: lineNumber,
            message: "theme[\(slot)] is set again (first on line \(first)); the last one wins"))
      }
      firstLineOfSlot[slot] = firstLineOfSlot[slot] ?? lineNumber
      colors[role] = color
    }
    if !errors.isEmpty { throw ThemeError(errors) }
    if assignments == 0 {
      warnings.append(
        ThemeDiagnostic(file: file, line: nil, message: "no theme[...] lines; using the default colours"))
    }
    return Result(theme: Theme(name: themeName(fromFile: file), colors: colors), warnings: warnings)
  }

  /// `theme[slot] = "value"` → (slot, value without quotes); nil when the line has another shape.
  static func splitAssignment(_ line: Substring) -> (String, String)? {
    guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else { return nil }
    let slot = line[line.index(line.startIndex, offsetBy: 6)..<close].trimmingWhitespace()
    var rest = line[line.index(after: close)...].trimmingWhitespace()
    guard !slot.isEmpty, rest.hasPrefix("=") else { return nil }
    rest = rest.dropFirst().trimmingWhitespace()
    for quote in ["\"", "'"] where rest.hasPrefix(quote) {
      guard rest.count >= 2, rest.hasSuffix(quote) else { return nil }
      rest = rest.dropFirst().dropLast()
    }
    return (String(slot), String(rest.trimmingWhitespace()))
  }

  /// A colour value in any accepted form, or nil when malformed.
  public static func parseColor(_ value: String) -> ThemeColor? {
    if value.isEmpty { return .terminalDefault }
    if let rgb = RGB(hex: value) { return .rgb(rgb) }
    if value.hasPrefix("#"), value.count == 3, let grey = UInt8(value.dropFirst(), radix: 16) {
      return .rgb(RGB(grey, grey, grey))
    }
    let parts = value.split(separator: " ")
    if parts.count == 3 {
      let channels = parts.compactMap { UInt8($0) }
      if channels.count == 3 { return .rgb(RGB(channels[0], channels[1], channels[2])) }
    }
    return nil
  }

  /// `themes/nord.theme` → `nord`.
  static func themeName(fromFile file: String) -> String {
    let base = file.split(separator: "/").last.map(String.init) ?? file
    return base.hasSuffix(".theme") ? String(base.dropLast(6)) : base
  }

  /// The closest known name within a small edit distance, for "did you mean" hints.
  static func nearest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
      var previous = Array(0...b.count)
      for (i, ca) in a.enumerated() {
        var current = [i + 1]
        for (j, cb) in b.enumerated() {
          current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
        }
        previous = current
      }
      return previous[b.count]
    }
    let scored = candidates.map { ($0, distance(Array(word), Array($0))) }.min { $0.1 < $1.1 }
    guard let scored, scored.1 <= max(2, word.count / 3) else { return nil }
    return scored.0
  }
}

extension Substring {
  fileprivate func trimmingWhitespace() -> Substring {
    var result = self
    while let first = result.first, first.isWhitespace { result = result.dropFirst() }
    while let last = result.last, last.isWhitespace { result = result.dropLast() }
    return result
  }
}
