import Foundation
import Yams

/// The recommended starting settings of each model family. A key the user did not set takes the
/// value of the family `base_model` names, so a BERT encoder starts from what fine-tuning a
/// pretrained transformer needs (AdamW at 5e-5, warmup, linear decay, layer-wise LR decay) while
/// the MLP keeps `HyperParameters()`'s defaults.
///
/// Where it applies: `tunetop`, `tunetop train` (not `--resume` or `--fork`, whose settings are the
/// run's own), `lr-find` and `search` resolve a config file and `--set` through `resolve`, which
/// knows every key the user wrote; the dashboard form switches the family's values when
/// `base_model` is edited, keeping every key whose value the user changed.
public enum ModelDefaults {
  /// Keys whose recommended value depends on the family, with the encoder's values.
  static let bertValues: [(key: ConfigKey, value: ConfigValue)] = [
    (.optimizer, .text(OptimizerKind.adamw.rawValue)),
    (.learningRate, .number(5e-5)),
    (.batchSize, .integer(16)),
    (.epochs, .integer(3)),
    (.schedule, .text(ScheduleKind.linear.rawValue)),
    (.warmupEpochs, .integer(1)),
    (.minLRRatio, .number(0)),
    (.weightDecay, .number(0.01)),
    (.dropout, .number(0.1)),
    (.layerLRDecay, .number(0.9)),
    (.gradClip, .number(1)),
    (.earlyStoppingPatience, .integer(2)),
  ]

  /// The recommended settings of `family` for every key it changes, over `HyperParameters()`.
  public static func defaults(for family: ModelFamily) -> HyperParameters {
    var settings = HyperParameters()
    if family == .bert {
      for (key, value) in bertValues { settings[key] = value }
    }
    return settings
  }

  /// The keys whose defaults differ between families.
  public static var familyKeys: [ConfigKey] { bertValues.map(\.key) }

  /// The settings of a new run from an optional config file and `--set key=value` overrides: the
  /// file, then the overrides, then the recommended value of the base model's family for every
  /// family-dependent key that neither of them sets. Validated as a whole.
  public static func resolve(configPath: String?, overrides: [String]) throws -> HyperParameters {
    var settings = HyperParameters()
    var explicit = Set<String>()
    if let configPath {
      settings = try HyperParameters.load(path: configPath)
      explicit = try keys(inYAMLAt: configPath)
    }
    let overridden = try settings.applyingUnchecked(overrides: overrides)
    settings = overridden.settings
    explicit.formUnion(overridden.keys)
    settings.applyModelDefaults(explicit: explicit)
    do {
      try settings.validate()
    } catch {
      throw overrides.isEmpty ? error : error.located("--set")
    }
    return settings
  }

  /// The top-level keys of a YAML config file (already known to load).
  private static func keys(inYAMLAt path: String) throws -> Set<String> {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    guard case .mapping(let mapping)? = try? Yams.compose(yaml: text) else { return [] }
    return Set(mapping.keys.compactMap(\.string))
  }
}

extension HyperParameters {
  /// Sets every family-dependent key not in `explicit` (config key names) to the recommended value
  /// of the family `base_model` names.
  public mutating func applyModelDefaults(explicit: Set<String>) {
    let recommended = ModelDefaults.defaults(for: ModelFamily(baseModel: baseModel))
    for key in ModelDefaults.familyKeys where !explicit.contains(key.name) {
      self[key] = recommended[key]
    }
    fitDefaultWarmup(explicit: explicit)
  }

  /// A short run the user asked for (epochs 1) gets no warmup rather than a range error about a
  /// key they never wrote; a warmup they wrote is checked as written.
  mutating func fitDefaultWarmup(explicit: Set<String>) {
    if !explicit.contains(ConfigKey.warmupEpochs.name), epochs > 0, warmupEpochs >= epochs {
      warmupEpochs = epochs - 1
    }
  }

  /// After `base_model` changed from a model of `previous` family: every family-dependent key
  /// still at `previous`'s recommended value moves to the new family's; keys the user changed stay.
  mutating func switchModelDefaults(from previous: ModelFamily) {
    let family = ModelFamily(baseModel: baseModel)
    guard family != previous else { return }
    let old = ModelDefaults.defaults(for: previous)
    let new = ModelDefaults.defaults(for: family)
    for key in ModelDefaults.familyKeys where self[key] == old[key] { self[key] = new[key] }
  }
}
