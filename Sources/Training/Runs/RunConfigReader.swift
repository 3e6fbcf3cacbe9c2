import Foundation

/// Reads a run's `config.yaml` quickly when it is in the exact shape `HyperParameters.yaml()` writes,
/// and through the full YAML loader otherwise.
///
/// Listing a runs directory reads one config per run; the general YAML parser costs about a
/// millisecond each, which a thousand runs turn into a visible pause. Every line `yaml()` writes is
/// `key: value` with a plain scalar or a `[a, b]` list and a trailing comment, so it is read here
/// with the same per-key parsing and validation as the loader. Anything else (quotes, nesting, a
/// hand-edited file) falls back to `HyperParameters.load(path:)`, so the result is always the same.
public enum RunConfigReader {
  public static func read(path: String) throws -> HyperParameters {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8),
      let settings = fastRead(text)
    else {
      return try HyperParameters.load(path: path)
    }
    return settings
  }

  /// The settings of a file written by `yaml()`, or nil when the file is in any other shape.
  static func fastRead(_ text: String) -> HyperParameters? {
    var settings = HyperParameters()
    // Bytes, not Characters: these files are ASCII but for comments, and this runs once per run.
    for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
      if line.first == UInt8(ascii: "#") { continue }
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
        let key = ConfigKey.named(String(decoding: line[..<colon], as: UTF8.self))
      else {
        return nil
      }
      // Plain scalars written by `yaml()` hold no spaces or `#`, so the first space ends the value.
      let value = line[line.index(after: colon)...].drop { $0 == UInt8(ascii: " ") }
      let end = key.isList ? value.firstIndex(of: UInt8(ascii: "]")).map { value.index(after: $0) } : nil
      let scalar = value[..<(end ?? value.firstIndex(of: UInt8(ascii: " ")) ?? value.endIndex)]
      let trimmed = String(decoding: scalar, as: UTF8.self)
      guard !trimmed.isEmpty, !trimmed.contains("\""), !trimmed.contains("'") else { return nil }
      do throws(ConfigError) {
        if key.isList {
          guard trimmed.first == "[", trimmed.last == "]" else { return nil }
          let inner = trimmed.dropFirst().dropLast()
          let items = inner.isEmpty ? [] : inner.split(separator: ",").map(String.init)
          settings[key] = try key.parse(items: items, shown: trimmed)
        } else {
          guard !"[{&*!|>%@`".contains(trimmed.first!) else { return nil }
          settings[key] = try key.parse(trimmed)
        }
      } catch {
        return nil
      }
    }
    do throws(ConfigError) {
      try settings.validate()
    } catch {
      return nil
    }
    return settings
  }
}
