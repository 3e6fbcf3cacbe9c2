import Foundation

/// `--set key=value` on the command line, applied on top of a loaded config.
extension HyperParameters {
  /// A copy with each `key=value` applied in order (later ones win), then validated as a whole.
  /// Lists are comma-separated (`frozen=hidden1,hidden2`) and an empty value is the empty list.
  public func applying(overrides: [String]) throws(ConfigError) -> HyperParameters {
    let place = "--set"
    var result = self
    for override in overrides {
      guard let equals = override.firstIndex(of: "="),
        !override[..<equals].trimmingCharacters(in: .whitespaces).isEmpty
      else {
        throw ConfigError(key: "", message: "\(override) must be written key=value", location: place)
      }
      let name = override[..<equals].trimmingCharacters(in: .whitespaces)
      let text = String(override[override.index(after: equals)...])
      guard let key = ConfigKey.named(name) else {
        throw ConfigKey.unknownKeyError(name).located(place)
      }
      do {
        result[key] = try key.parse(text)
      } catch {
        throw error.located(place)
      }
    }
    do {
      try result.validate()
    } catch {
      throw error.located(place)
    }
    return result
  }
}
