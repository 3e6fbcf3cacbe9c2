extension BertClassifier {
  /// Every parameter as a named tensor under its Hugging Face name, in store order, for writing a
  /// checkpoint that loads into `BertModel` with `strict=False` (the head as `classifier.*`).
  /// A LoRA model writes only what trains: its adapters (PEFT's names, e.g.
  /// `encoder.layer.0.attention.self.query.lora_A.weight`) and the head; the base weights are the
  /// base model's, loaded before the checkpoint.
  public func checkpointTensors() -> [NamedTensor] {
    store.tensors.indices.filter { !store.fixed[$0] }.map { index in
      let tensor = store.tensors[index]
      return NamedTensor(name: tensor.name, shape: tensor.shape, values: store.values(of: index))
    }
  }

  /// Loads weights by Hugging Face name, with or without a `bert.` prefix (as
  /// `BertForSequenceClassification` saves them); every tensor of the groups not in `skipping`
  /// must be present with the same shape, except a LoRA model's fixed base weights, which are
  /// loaded when the file has them and else kept. Nothing changes when any tensor is missing or
  /// misshapen.
  public func load(_ file: SafeTensorsFile, path: String, skipping groups: Set<String> = []) throws {
    try ModelCheckpointFormat.check(file, path: path, kind: "bert")
    let found = try store.tensors.indices.compactMap { index -> (Int, NamedTensor)? in
      let expected = store.tensors[index]
      if groups.contains(expected.group) { return nil }
      if store.fixed[index], file[expected.name] == nil, file["bert." + expected.name] == nil { return nil }
      return (index, try BertClassifier.tensor(expected, in: file, path: path))
    }
    for (index, tensor) in found { store.setValues(tensor.values, of: index) }
  }

  /// The tensor for `expected`, found by name with or without the `bert.` prefix, shape-checked.
  static func tensor(_ expected: ParameterTensor, in file: SafeTensorsFile, path: String) throws
    -> NamedTensor
  {
    let prefixed = "bert." + expected.name
    guard let tensor = file[expected.name] ?? file[prefixed] ?? legacyTensor(expected.name, in: file) else {
      throw CheckpointMismatchError(
        path: path, message: "tensor \(expected.name) is missing (also looked for \(prefixed))")
    }
    guard tensor.shape == expected.shape else {
      throw CheckpointMismatchError(
        path: path,
        message:
          "tensor \(tensor.name): expected shape \(ParameterTensor.shapeText(expected.shape)) from config.json, "
          + "file has \(ParameterTensor.shapeText(tensor.shape))")
    }
    return tensor
  }

  /// Original Google BERT checkpoints name LayerNorm parameters `gamma`/`beta`; Hugging Face renames
  /// them on load, and so does this.
  private static func legacyTensor(_ name: String, in file: SafeTensorsFile) -> NamedTensor? {
    let legacy: String
    if name.hasSuffix("LayerNorm.weight") {
      legacy = String(name.dropLast("weight".count)) + "gamma"
    } else if name.hasSuffix("LayerNorm.bias") {
      legacy = String(name.dropLast("bias".count)) + "beta"
    } else {
      return nil
    }
    return file[legacy] ?? file["bert." + legacy]
  }
}
