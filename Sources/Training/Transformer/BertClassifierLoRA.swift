import Foundation

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

/// What a LoRA run's checkpoint needs besides its adapters and head: the LoRA settings and where
/// the fixed base weights are (`lora_base`: the Hugging Face folder the run started from).
public struct LoRACheckpointBase: Equatable, Sendable {
  public static let baseKey = "lora_base"

  public var settings: LoRASettings
  /// The model folder whose model.safetensors holds the base weights.
  public var folder: URL

  public init(settings: LoRASettings, folder: URL) {
    self.settings = settings
    self.folder = folder
  }

  public var metadata: [String: String] { settings.metadata.merging([Self.baseKey: folder.path]) { $1 } }

  /// Reads it back; nil for a full fine-tuning checkpoint.
  public init?(metadata: [String: String], path: String) throws(CheckpointMismatchError) {
    guard let settings = try LoRASettings(metadata: metadata, path: path) else { return nil }
    guard let folder = metadata[Self.baseKey] else {
      throw CheckpointMismatchError(
        path: path,
        message: "metadata \(Self.baseKey) is missing; a LoRA checkpoint names its base model folder")
    }
    self.init(settings: settings, folder: URL(fileURLWithPath: folder, isDirectory: true))
  }

  /// Whether a run with `settings` can go on training this checkpoint's adapters: same rank and
  /// targets (alpha and dropout may change).
  public func continues(_ other: LoRASettings) -> Bool {
    other.rank == settings.rank && other.targets == settings.targets
  }

  /// The checkpoint's model: the base folder's weights, adapters with `settings`, then the
  /// checkpoint's adapters and head. Errors name the checkpoint or the base folder.
  public func rebuild(
    _ file: SafeTensorsFile, path: String, classes: Int, pooling: BertPooling
  ) throws -> BertClassifier {
    let base: BertModelFolder
    do {
      base = try BertModelFolder(directory: folder)
    } catch {
      throw CheckpointMismatchError(
        path: path, message: "the base model of its LoRA adapters (\(folder.path)) cannot be read: \(error)")
    }
    let model = try BertClassifier(folder: base, classes: classes, pooling: pooling, seed: 0)
    model.enableLoRA(settings, seed: 0)
    try model.load(file, path: path)
    return model
  }
}
