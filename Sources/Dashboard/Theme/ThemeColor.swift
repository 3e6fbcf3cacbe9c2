/// A theme slot's value: a concrete colour, or the terminal's own default (btop's empty `""`).
public enum ThemeColor: Hashable, Sendable {
  case rgb(RGB)
  /// Whatever the terminal uses by default, e.g. a transparent background; needs `use_default_colors`.
  case terminalDefault
}
