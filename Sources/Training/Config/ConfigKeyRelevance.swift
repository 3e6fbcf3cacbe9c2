/// Which settings change anything for a given kind of model, so the form can leave out the rest.
extension ConfigKey {
  /// Keys only an MLP reads (its layer widths, the scaling of numeric feature columns).
  static let mlpOnly: Set<String> = [hiddenSizes.name, normalize.name]
  /// Keys only a text encoder reads.
  static let encoderOnly: Set<String> = [maxSeqLen.name, pooling.name, method.name]
  /// Keys that matter only when `method` is `lora`.
  static let loraOnly: Set<String> = [loraRank.name, loraAlpha.name, loraDropout.name, loraTargets.name]

  /// Whether this key changes anything for a run of a model of `kind` (`mlp`, `bert`; nil while the
  /// model is not known, e.g. the task or base model cannot be read) with `settings`. A key left out
  /// keeps its value: it is still saved with the config and applies if the model changes.
  public func matters(forModelKind kind: String?, settings: HyperParameters) -> Bool {
    if ConfigKey.loraOnly.contains(name) {
      return kind != "mlp" && settings.method == "lora"
    }
    switch kind {
    case "mlp": return !ConfigKey.encoderOnly.contains(name)
    case "bert": return !ConfigKey.mlpOnly.contains(name)
    default: return true
    }
  }
}
