import Foundation

/// `--set key=value` on the command line, applied on top of a loaded config.
extension HyperParameters {
  /// A copy with each `key=value` applied in order (later ones win), then validated as a whole.
  /// Lists are comma-separated (`frozen=hidden1,hidden2`) and an empty value is the empty list.
  public func applying(overrides: [String]) throws(ConfigError) -> HyperParameters {
    let result = try applyingUnchecked(overrides: overrides).settings
    do {
      try result.validate()
    } catch {
      throw error.located("--set")
    }
    return result
  }

  /// `applying(overrides:)` without the final cross-key validation, with the names of the keys set.
  func applyingUnchecked(overrides: [String]) throws(ConfigError) -> (
    settings: HyperParameters, keys: Set<String>
  ) {
    let place = "--set"
    var result = self
    var explicit = Set<String>()
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
      explicit.insert(key.name)
    }
    result.applyTaskDefaults(explicit: explicit)
    return (result, explicit)
  }
}

extension HyperParameters {
  /// A user's CSV file trains on all its rows unless `train_samples` says otherwise; the built-in
  /// task keeps its 100, which its pinned results depend on. Applied where `task` is set.
  mutating func applyTaskDefaults(explicit: Set<String>) {
    guard explicit.contains(ConfigKey.task.name), !explicit.contains(ConfigKey.trainSamples.name),
      DigitsVariant(task: task) == nil, trainSamples == HyperParameters().trainSamples
    else { return }
    trainSamples = Self.allSamples
  }
}
