/// LoRA on the encoder (`method: lora`): adapters beside the chosen projections of every block,
/// the base weights fixed, and merging the adapters back into plain weights for export.
///
/// Adapters belong to their block's group (`block0` …), so freezing a block freezes its adapters,
/// layer-wise LR decay and gradual unfreezing act on them per block, and the Layers panel's
/// parameter count of a block is its adapters' count (`ParameterStore.parameterCount` leaves fixed
/// tensors out). The embeddings and every base weight, bias and LayerNorm of the blocks are fixed,
/// as PEFT's `bias="none"` leaves them; the head (classifier, and the pooler with `cls` pooling)
/// trains in full, as PEFT's `modules_to_save` does for a classifier.
extension BertClassifier {
  /// Adds LoRA adapters to every block and fixes the base weights. Call once, on a freshly built
  /// model, before an optimizer is made over its store (adapters are new tensors at the end of it).
  /// Adapter A is drawn from `seed`, B starts at zero, so the model's output is unchanged.
  public func enableLoRA(_ settings: LoRASettings, seed: UInt64) {
    precondition(lora == nil, "LoRA is already enabled")
    lora = settings
    let baseCount = store.tensors.count
    var rng = SplitMix64(seed: seed)
    for layer in 0..<config.layers {
      let group = "block\(layer)"
      for target in settings.targets {
        let prefix = "encoder.layer.\(layer).\(target.modulePath)"
        let adapter = LoRAAdapter(
          store: store, prefix: prefix, target: target, baseWeight: baseWeight(target, layer: layer),
          group: group, settings: settings, dropoutSeed: rng.next())
        adapter.initialize(store, rng: &rng)
        switch target {
        case .query, .key, .value, .attentionOutput: attentions[layer].lora[target] = adapter
        case .intermediate, .output: feedForwards[layer].lora[target] = adapter
        }
      }
    }
    for index in 0..<baseCount where store.tensors[index].group != "head" {
      store.setFixed(true, tensor: index)
    }
  }

  /// Every adapter, block by block in target order.
  var loraAdapters: [LoRAAdapter] {
    zip(attentions, feedForwards).flatMap { $0.lora.all + $1.lora.all }
  }

  /// The adapters' input dropouts, in `loraAdapters` order (empty without LoRA).
  var loraDropouts: [DropoutMask] { loraAdapters.map(\.dropout) }

  private func baseWeight(_ target: LoRATarget, layer: Int) -> Int {
    switch target {
    case .query: attentions[layer].query
    case .key: attentions[layer].key
    case .value: attentions[layer].value
    case .attentionOutput: attentions[layer].outputProjection.weight
    case .intermediate: feedForwards[layer].intermediate.weight
    case .output: feedForwards[layer].outputDense.weight
    }
  }

  /// The model as plain weights under Hugging Face names, each adapter folded into its base weight
  /// (W + scale·B·A) and no adapter tensors: what a model without LoRA loads to compute the same
  /// function. Without LoRA, every tensor as it is. The model itself is not changed.
  public func mergedTensors() -> [NamedTensor] {
    var merged: [Int: [Float]] = [:]
    store.values.withUnsafeBufferPointer { values in
      for adapter in loraAdapters {
        var weight = store.values(of: adapter.baseWeight)
        weight.withUnsafeMutableBufferPointer {
          adapter.merge(into: $0.baseAddress!, values: values.baseAddress!)
        }
        merged[adapter.baseWeight] = weight
      }
    }
    let adapterTensors = Set(loraAdapters.flatMap { [$0.a, $0.b] })
    return store.tensors.indices.filter { !adapterTensors.contains($0) }.map { index in
      let tensor = store.tensors[index]
      return NamedTensor(
        name: tensor.name, shape: tensor.shape, values: merged[index] ?? store.values(of: index))
    }
  }
}
