/// Whole-configuration checks: every key's range, then the rules that relate keys to each other.
extension HyperParameters {
  /// Throws the first problem, in table order, so a person fixes them top to bottom.
  public func validate() throws(ConfigError) {
    for key in ConfigKey.all {
      let value = self[key]
      _ = try key.validated(value, shown: value.display)
    }
    if epochs > 0, warmupEpochs >= epochs {
      throw ConfigError(
        key: ConfigKey.warmupEpochs.name,
        message: "warmup_epochs (\(warmupEpochs)) must be less than epochs (\(epochs))")
    }
  }

  /// `validate()`, then checks `frozen` against the layer groups of the model actually built,
  /// which only exist once the base model is loaded.
  public func validate(groups: [String]) throws(ConfigError) {
    try validate()
    for name in frozen where !groups.contains(name) {
      throw ConfigError(
        key: ConfigKey.frozen.name,
        message: "frozen: no layer group named \(name); the model has \(groups.joined(separator: ", "))")
    }
  }
}
