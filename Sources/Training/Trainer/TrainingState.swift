import Foundation

/// Where a run stands inside an epoch: the shuffled order and what the steps since the previous
/// evaluation added up (the whole epoch so far, unless `eval_every_steps` evaluated mid-epoch).
struct EpochProgress: Equatable {
  /// Epoch being trained (counted from 1); 0 when between epochs.
  var epoch = 0
  /// Index into `order` of the next batch.
  var nextIndex = 0
  var lossSum = 0.0
  var correct = 0
  var seen = 0
  var steps = 0
  var gradientNormSums: [String: Double] = [:]
}

/// Everything besides the weights that a run needs to continue exactly where it stopped.
///
/// It is written next to `last.safetensors` as `last.state.safetensors`: the optimizer moments and
/// the sample order as tensors, the rest as metadata. Keeping it out of the weights file keeps
/// that file loadable anywhere. Doubles are written with 17 significant digits, which round-trips
/// them exactly, so a resumed run is bit-identical to one that never stopped.
public struct TrainingState: Equatable, Sendable {
  public internal(set) var step: Int
  /// Completed epochs.
  public internal(set) var epochsRun: Int
  var samplesSeen: Int
  var wallSeconds: Double
  var shuffleRNG: UInt64
  var dropoutRNGs: [UInt64]
  var order: [Int]
  var progress: EpochProgress
  var validationHistory: [Double]
  /// The monitored value of each evaluation (lower is better); nil in states saved before `monitor`,
  /// which all followed the validation loss.
  var monitorHistory: [Double]?
  var best: EpochMetrics?
  var unfreezePlan: [String: Int?]
  var frozen: [String]
  /// The settings as hot edits left them (learning rate, dropout, weight decay, frozen).
  public internal(set) var liveSettings: HyperParameters
  var optimizerState: [(name: String, values: [Float])]

  public static func == (left: TrainingState, right: TrainingState) -> Bool {
    left.metadata == right.metadata && left.order == right.order
      && left.optimizerState.map(\.name) == right.optimizerState.map(\.name)
      && left.optimizerState.map(\.values) == right.optimizerState.map(\.values)
  }

  static let format = "tunetop-training-state-1"

  // JSON numbers from Foundation round-trip doubles exactly; NaN (no value yet) goes as a string.
  private static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

  private static func encodeBest(_ metrics: EpochMetrics) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    encoder.nonConformingFloatEncodingStrategy = nonFinite
    return String(decoding: (try? encoder.encode(metrics)) ?? Data(), as: UTF8.self)
  }

  private static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  var metadata: [String: String] {
    func exact(_ value: Double) -> String { String(format: "%.17g", value) }
    return [
      "format": Self.format,
      "step": String(step),
      "epochs_run": String(epochsRun),
      "samples_seen": String(samplesSeen),
      "wall_seconds": exact(wallSeconds),
      "shuffle_rng": String(shuffleRNG),
      "dropout_rngs": dropoutRNGs.map(String.init).joined(separator: ","),
      "epoch_in_progress": String(progress.epoch),
      "next_index": String(progress.nextIndex),
      "loss_sum": exact(progress.lossSum),
      "correct": String(progress.correct),
      "seen": String(progress.seen),
      "steps_in_epoch": String(progress.steps),
      "gradient_norm_sums": progress.gradientNormSums.sorted { $0.key < $1.key }
        .map { "\($0.key)=\(exact($0.value))" }.joined(separator: ","),
      "validation_history": validationHistory.map(exact).joined(separator: ","),
      "monitor_history": (monitorHistory ?? validationHistory).map(exact).joined(separator: ","),
      "best_metrics": best.map(Self.encodeBest) ?? "",
      "unfreeze_plan": unfreezePlan.sorted { $0.key < $1.key }
        .map { "\($0.key)=\($0.value.map { String($0) } ?? "never")" }.joined(separator: ","),
      "frozen": frozen.joined(separator: ","),
      "live_settings": liveSettings.yaml(),
    ]
  }

  var tensors: [NamedTensor] {
    [NamedTensor(name: "order", shape: [order.count], values: order.map(Float.init))]
      + optimizerState.map { NamedTensor(name: $0.name, shape: [$0.values.count], values: $0.values) }
  }

  /// Reads a state file; `path` names it in errors.
  init(file: SafeTensorsFile, path: String) throws {
    let meta = file.metadata
    func field(_ key: String) throws -> String {
      guard let value = meta[key] else {
        throw CheckpointMismatchError(path: path, message: "training state has no \(key)")
      }
      return value
    }
    func integer(_ key: String) throws -> Int {
      guard let value = Int(try field(key)) else {
        throw CheckpointMismatchError(path: path, message: "training state \(key) is not an integer")
      }
      return value
    }
    func number(_ text: String, _ key: String) throws -> Double {
      guard let value = Double(text) else {
        throw CheckpointMismatchError(
          path: path, message: "training state \(key) holds \(text), not a number")
      }
      return value
    }
    func list(_ key: String) throws -> [String] {
      let text = try field(key)
      return text.isEmpty ? [] : text.split(separator: ",").map(String.init)
    }
    guard meta["format"] == Self.format else {
      throw CheckpointMismatchError(
        path: path, message: "not a tunetop training state (format \(meta["format"] ?? "missing"))")
    }
    step = try integer("step")
    epochsRun = try integer("epochs_run")
    samplesSeen = try integer("samples_seen")
    wallSeconds = try number(try field("wall_seconds"), "wall_seconds")
    guard let shuffle = UInt64(try field("shuffle_rng")) else {
      throw CheckpointMismatchError(path: path, message: "training state shuffle_rng is not a UInt64")
    }
    shuffleRNG = shuffle
    dropoutRNGs = try list("dropout_rngs").map {
      guard let value = UInt64($0) else {
        throw CheckpointMismatchError(path: path, message: "training state dropout_rngs holds \($0)")
      }
      return value
    }
    progress = EpochProgress(
      epoch: try integer("epoch_in_progress"), nextIndex: try integer("next_index"),
      lossSum: try number(try field("loss_sum"), "loss_sum"), correct: try integer("correct"),
      seen: try integer("seen"), steps: try integer("steps_in_epoch"))
    for pair in try list("gradient_norm_sums") {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else {
        throw CheckpointMismatchError(path: path, message: "training state gradient_norm_sums holds \(pair)")
      }
      progress.gradientNormSums[parts[0]] = try number(parts[1], "gradient_norm_sums")
    }
    validationHistory = try list("validation_history").map { try number($0, "validation_history") }
    monitorHistory =
      meta["monitor_history"] == nil
      ? nil : try list("monitor_history").map { try number($0, "monitor_history") }
    let bestText = try field("best_metrics")
    if bestText.isEmpty {
      best = nil
    } else {
      do {
        best = try Self.decoder.decode(EpochMetrics.self, from: Data(bestText.utf8))
      } catch {
        throw CheckpointMismatchError(
          path: path, message: "training state best_metrics is not valid: \(error)")
      }
    }
    var plan: [String: Int?] = [:]
    for pair in try list("unfreeze_plan") {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, parts[1] == "never" || Int(parts[1]) != nil else {
        throw CheckpointMismatchError(path: path, message: "training state unfreeze_plan holds \(pair)")
      }
      plan[parts[0]] = parts[1] == "never" ? .some(nil) : Int(parts[1])
    }
    unfreezePlan = plan
    frozen = try list("frozen")
    do {
      liveSettings = try HyperParameters.load(
        yaml: try field("live_settings"), source: "\(path) live_settings")
    } catch {
      throw CheckpointMismatchError(path: path, message: "training state settings: \(error)")
    }
    guard let orderTensor = file["order"] else {
      throw CheckpointMismatchError(path: path, message: "training state has no order tensor")
    }
    order = orderTensor.values.map { Int($0) }
    optimizerState = file.tensors.filter { $0.name.hasPrefix(Optimizer.statePrefix) }.map {
      ($0.name, $0.values)
    }
  }

  init(
    step: Int, epochsRun: Int, samplesSeen: Int, wallSeconds: Double, shuffleRNG: UInt64,
    dropoutRNGs: [UInt64],
    order: [Int], progress: EpochProgress, validationHistory: [Double], monitorHistory: [Double]?,
    best: EpochMetrics?,
    unfreezePlan: [String: Int?], frozen: [String], liveSettings: HyperParameters,
    optimizerState: [(name: String, values: [Float])]
  ) {
    self.step = step
    self.epochsRun = epochsRun
    self.samplesSeen = samplesSeen
    self.wallSeconds = wallSeconds
    self.shuffleRNG = shuffleRNG
    self.dropoutRNGs = dropoutRNGs
    self.order = order
    self.progress = progress
    self.validationHistory = validationHistory
    self.monitorHistory = monitorHistory
    self.best = best
    self.unfreezePlan = unfreezePlan
    self.frozen = frozen
    self.liveSettings = liveSettings
    self.optimizerState = optimizerState
  }
}
