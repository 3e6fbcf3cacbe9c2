/// Fitting text into a number of columns, with an ellipsis when something had to be cut.
public enum TextFit {
  /// `text` cut to `width` columns, ending in `…` when it was longer.
  public static func truncate(_ text: String, to width: Int) -> String {
    guard width > 0 else { return "" }
    guard text.count > width else { return text }
    return String(text.prefix(width - 1)) + "…"
  }

  /// `text` padded with spaces (or truncated) to exactly `width` columns, right-aligned when asked.
  public static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
    let fitted = truncate(text, to: width)
    let padding = String(repeating: " ", count: max(0, width - fitted.count))
    return alignRight ? padding + fitted : fitted + padding
  }
}
