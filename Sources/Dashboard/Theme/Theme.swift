/// A colour for every `ColorRole`, loaded from a btop-style `.theme` file or the built-in default.
public struct Theme: Equatable, Sendable {
  public var name: String
  /// Colours set by this theme; roles that are absent fall back to the default theme.
  public var colors: [ColorRole: ThemeColor]

  public init(name: String, colors: [ColorRole: ThemeColor]) {
    self.name = name
    self.colors = colors
  }

  /// The colour for `role`, falling back to the built-in default theme and finally to the terminal's.
  public subscript(role: ColorRole) -> ThemeColor {
    colors[role] ?? Theme.builtInDefault.colors[role] ?? .terminalDefault
  }

  /// The built-in default theme, parsed from the same text as `themes/default.theme`, so the app works
  /// without the themes directory.
  public static let builtInDefault: Theme = {
    // The source is a compile-time constant that a test checks parses cleanly, so failure is a programming error.
    guard
      let result = try? ThemeParser.parse(text: DefaultThemeSource.text, file: "default.theme", fallback: nil)
    else {
      preconditionFailure("the built-in default theme does not parse")
    }
    return Theme(name: "default", colors: result.theme.colors)
  }()
}
