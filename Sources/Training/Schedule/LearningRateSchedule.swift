import Foundation

/// The learning rate as a pure function of the optimizer step, so the dashboard can draw the whole
/// curve before a run starts and a resumed run lands on exactly the same rate.
///
/// A linear warmup (`base × (step + 1) / warmupSteps`) runs in front of every schedule but one-cycle;
/// the main schedule then counts its own steps from 0 over the remaining `totalSteps − warmupSteps`.
/// Cosine and linear decay reach `base × minLRRatio` exactly on the last step; step and exponential
/// decay have no floor, as in PyTorch.
///
/// One-cycle follows PyTorch's `OneCycleLR` (cosine annealing, `div_factor` 25, no momentum cycling)
/// with two documented changes: the final rate is `base × minLRRatio` rather than `initial / 1e4`,
/// and a non-zero warmup sets the length of its ramp instead of `pct_start` = 0.3, so the peak falls
/// on the step where a linear warmup would reach `base`. With `P` the peak step and `T` total steps:
/// `lr = anneal(base / 25 → base, step / P)` up to `P`, then `anneal(base → floor, (step − P) / (T − 1 − P))`,
/// where `anneal(a → b, x) = b + (a − b)(1 + cos πx) / 2`.
///
/// Plateau is PyTorch's `ReduceLROnPlateau` read off the validation history (see
/// `plateauReductions`): `max(base × gamma^r, base × minLRRatio)` with patience `stepSize`
/// evaluations and absolute threshold `minDelta`. Without a history it draws as constant.
public struct LearningRateSchedule: Sendable, Equatable {
  public var kind: ScheduleKind
  public var baseLearningRate: Double
  public var stepsPerEpoch: Int
  public var epochs: Int
  public var warmupEpochs: Int
  /// Floor of cosine, linear, one-cycle and plateau, as a fraction of the base rate.
  public var minLRRatio: Double
  /// Epochs between decays (`step`), or evaluations of patience (`plateau`).
  public var stepSize: Int
  public var gamma: Double
  /// Smallest drop in validation loss that counts as an improvement (`plateau`).
  public var minDelta: Double

  public init(
    kind: ScheduleKind, baseLearningRate: Double, stepsPerEpoch: Int, epochs: Int,
    warmupEpochs: Int = 0, minLRRatio: Double = 0, stepSize: Int = 1, gamma: Double = 0.1,
    minDelta: Double = 0
  ) {
    precondition(stepsPerEpoch >= 1, "a schedule needs at least one step per epoch")
    self.kind = kind
    self.baseLearningRate = baseLearningRate
    self.stepsPerEpoch = stepsPerEpoch
    self.epochs = epochs
    self.warmupEpochs = warmupEpochs
    self.minLRRatio = minLRRatio
    self.stepSize = stepSize
    self.gamma = gamma
    self.minDelta = minDelta
  }

  public init(_ hyperParameters: HyperParameters, stepsPerEpoch: Int) {
    self.init(
      kind: hyperParameters.schedule, baseLearningRate: hyperParameters.learningRate,
      stepsPerEpoch: stepsPerEpoch, epochs: hyperParameters.epochs,
      warmupEpochs: hyperParameters.warmupEpochs, minLRRatio: hyperParameters.minLRRatio,
      stepSize: hyperParameters.stepSize, gamma: hyperParameters.gamma,
      minDelta: hyperParameters.minDelta)
  }

  public var totalSteps: Int { epochs * stepsPerEpoch }
  public var warmupSteps: Int { warmupEpochs * stepsPerEpoch }
  private var floorRate: Double { baseLearningRate * minLRRatio }

  /// The rate for optimizer step `step` (0-based); `validationHistory` holds one validation loss per
  /// evaluation so far and matters only to `plateau`. Steps past the end keep the final rate.
  public func learningRate(at step: Int, validationHistory: [Double] = []) -> Double {
    let step = max(0, step)
    let base = baseLearningRate
    if kind == .oneCycle { return oneCycleRate(at: step) }
    if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps) }

    let mainStep = step - warmupSteps
    let mainSteps = max(1, totalSteps - warmupSteps)
    let progress = min(1, Double(mainStep) / Double(max(1, mainSteps - 1)))
    switch kind {
    case .constant:
      return base
    case .step:
      let decays = mainStep / (max(1, stepSize) * stepsPerEpoch)
      return base * pow(gamma, Double(decays))
    case .exponential:
      return base * pow(gamma, Double(mainStep) / Double(stepsPerEpoch))
    case .cosine:
      return Self.anneal(from: base, to: floorRate, progress: progress)
    case .linear:
      return base + (floorRate - base) * progress
    case .plateau:
      let reductions = plateauReductions(
        history: validationHistory, patience: stepSize, threshold: minDelta)
      return max(floorRate, base * pow(gamma, Double(reductions)))
    case .oneCycle:
      return oneCycleRate(at: step)
    }
  }

  /// About `points` samples from step 0 to the last step (every step if there are fewer), for
  /// drawing the schedule; plateau is drawn without a validation history.
  public func curve(points: Int) -> [(step: Int, lr: Double)] {
    let last = max(0, totalSteps - 1)
    let count = min(max(2, points), last + 1)
    var result: [(step: Int, lr: Double)] = []
    result.reserveCapacity(count)
    for i in 0..<count {
      let step = count == 1 ? 0 : Int((Double(i) * Double(last) / Double(count - 1)).rounded())
      if result.last?.step == step { continue }
      result.append((step, learningRate(at: step)))
    }
    return result
  }

  /// The step at which one-cycle peaks at the base rate.
  public var oneCyclePeakStep: Int {
    let rampSteps = warmupSteps > 0 ? warmupSteps : Int((0.3 * Double(totalSteps)).rounded())
    return min(max(0, rampSteps - 1), max(0, totalSteps - 1))
  }

  private func oneCycleRate(at step: Int) -> Double {
    let base = baseLearningRate
    let peak = oneCyclePeakStep
    if step <= peak {
      let progress = peak == 0 ? 1 : Double(step) / Double(peak)
      return Self.anneal(from: base / 25, to: base, progress: progress)
    }
    let progress = min(1, Double(step - peak) / Double(max(1, totalSteps - 1 - peak)))
    return Self.anneal(from: base, to: floorRate, progress: progress)
  }

  /// Half-cosine from `start` (progress 0) to `end` (progress 1).
  private static func anneal(from start: Double, to end: Double, progress: Double) -> Double {
    end + (start - end) * (1 + cos(Double.pi * progress)) / 2
  }
}
