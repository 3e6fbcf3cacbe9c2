/// A configuration problem, phrased for a person: which key, what was wrong, and where it was written.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The snake_case key at fault (the misspelt one for an unknown key); empty for file-level problems.
  public var key: String
  /// A self-contained sentence that starts with or names the key, e.g. `epochs must be …, got -1`;
  /// the dashboard shows it inline, where the location would be noise.
  public var message: String
  /// `file:line` for YAML, `--set` for command-line overrides, nil for values set in code or the UI.
  public var location: String?

  public init(key: String, message: String, location: String? = nil) {
    self.key = key
    self.message = message
    self.location = location
  }

  /// The message with the location placed right after the key, so it reads
  /// `batch_size at config.yaml:4 must be …` rather than tacking the place on at the end.
  public var description: String {
    guard let location else { return message }
    let place = location.hasPrefix("-") ? "in \(location)" : "at \(location)"
    if !key.isEmpty, var end = message.range(of: key)?.upperBound {
      // Keep a value quoted right after the key with it: `warmup_epochs (5) at config.yaml:2 must …`.
      let rest = message[end...]
      if rest.hasPrefix(" ("), let close = rest.firstIndex(of: ")") { end = rest.index(after: close) }
      return message[..<end] + " \(place)" + message[end...]
    }
    return "\(location): \(message)"
  }

  /// The same problem, attributed to where the value came from.
  func located(_ location: String?) -> ConfigError {
    ConfigError(key: key, message: message, location: location)
  }
}
