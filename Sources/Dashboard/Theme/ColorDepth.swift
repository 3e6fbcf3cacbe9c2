/// How many colours the terminal can show, which decides how theme colours are mapped.
public enum ColorDepth: String, CaseIterable, Sendable {
  /// 24-bit colour, used exactly as the theme says.
  case truecolor
  /// The xterm 256-colour palette (nearest cube or grey entry).
  case xterm256
  /// The 8 ANSI colours (nearest by distance).
  case ansi8
  /// No colour at all (NO_COLOR, or a terminal without colours); bold, reverse and underline still work.
  case none

  /// The depth to use given the environment and what terminfo reports (`tput colors`, -1 or 0 for none).
  ///
  /// Order of precedence: `NO_COLOR` (any non-empty value) → none; `TUNETOP_COLOR` (truecolor, 256, 8, none)
  /// as an explicit override; a terminal with fewer than 8 colours → none; `COLORTERM=truecolor|24bit` or a
  /// direct-colour terminfo entry → truecolor; 256 colours → xterm256; otherwise ansi8.
  public static func detect(environment: [String: String], terminalColors: Int) -> ColorDepth {
    if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
    switch environment["TUNETOP_COLOR"]?.lowercased() {
    case "truecolor", "24bit": return .truecolor
    case "256": return .xterm256
    case "8": return .ansi8
    case "none", "0": return .none
    default: break
    }
    if terminalColors < 8 { return .none }
    let colorTerm = environment["COLORTERM"]?.lowercased() ?? ""
    if colorTerm == "truecolor" || colorTerm == "24bit" || terminalColors >= 1 << 24 { return .truecolor }
    if terminalColors >= 256 { return .xterm256 }
    return .ansi8
  }
}
