import Foundation
import Testing

@testable import Training

/// base 0.1, 3 steps per epoch × 27 epochs = 81 steps, 2 warmup epochs = 6 steps, so the main
/// schedule runs s = 0…74 over steps 6…80 and is halfway (s = 37) at step 43. Floor 0.1 × 0.1 = 0.01.
private func schedule(_ kind: ScheduleKind, warmupEpochs: Int = 2) -> LearningRateSchedule {
  LearningRateSchedule(
    kind: kind, baseLearningRate: 0.1, stepsPerEpoch: 3, epochs: 27, warmupEpochs: warmupEpochs,
    minLRRatio: 0.1, stepSize: 4, gamma: 0.5, minDelta: 0.01)
}

private func expectRates(
  _ schedule: LearningRateSchedule, _ expected: [Int: Double],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  for (step, rate) in expected.sorted(by: { $0.key < $1.key }) {
    let actual = schedule.learningRate(at: step)
    #expect(
      abs(actual - rate) < 1e-12, "\(schedule.kind) at step \(step): \(actual), expected \(rate)",
      sourceLocation: sourceLocation)
  }
}

@Test func sizesComeFromHyperParameters() {
  var hyperParameters = HyperParameters()
  hyperParameters.epochs = 40
  hyperParameters.warmupEpochs = 1
  let schedule = LearningRateSchedule(hyperParameters, stepsPerEpoch: 7)
  #expect(schedule.totalSteps == 280)
  #expect(schedule.warmupSteps == 7)
  #expect(schedule.kind == hyperParameters.schedule)
}

@Test(arguments: ScheduleKind.allCases.filter { $0 != .oneCycle })
func warmupRampsLinearlyToTheBaseAndHandsOverContinuously(kind: ScheduleKind) {
  // base × (step + 1) / 6: 0.1/6 at step 0, 0.05 at step 2, 0.1 at step 5; every main schedule
  // then starts at the base rate on step 6.
  expectRates(schedule(kind), [0: 0.1 / 6, 2: 0.05, 5: 0.1, 6: 0.1])
}

@Test func constantStaysAtTheBase() {
  expectRates(schedule(.constant), [6: 0.1, 43: 0.1, 80: 0.1])
  expectRates(schedule(.constant, warmupEpochs: 0), [0: 0.1])
}

@Test func stepHalvesEveryStepSizeEpochsAfterWarmup() {
  // stepSize 4 epochs = 12 steps: s = 11 (step 17) is still 0.1, s = 12 (step 18) is 0.05,
  // s = 37 (step 43) is 0.1 × 0.5³ = 0.0125, s = 74 (step 80) is 0.1 × 0.5⁶ = 0.0015625.
  expectRates(schedule(.step), [17: 0.1, 18: 0.05, 43: 0.0125, 80: 0.0015625])
}

@Test func exponentialDecaysByGammaPerEpochContinuously() {
  // base × 0.5^(s / 3): s = 1 → 0.1 × 2^(−1/3) = 0.0793700526, s = 3 → 0.05, s = 37 → 0.1 × 2^(−37/3).
  expectRates(
    schedule(.exponential),
    [7: 0.07937005259840998, 9: 0.05, 43: 1.937745424765868e-05, 80: 0.1 * pow(0.5, 74.0 / 3)])
}

@Test func cosineFallsFromTheBaseToTheFloorOnTheLastStep() {
  // floor + (base − floor)(1 + cos(π s / 74)) / 2: s = 37 → 0.01 + 0.09 / 2 = 0.055; s = 74 → 0.01.
  expectRates(schedule(.cosine), [43: 0.055, 80: 0.01])
  // Without warmup the denominator is 80: s = 20 → cos(π/4), 0.01 + 0.045 × (1 + √½).
  expectRates(
    schedule(.cosine, warmupEpochs: 0), [0: 0.1, 20: 0.01 + 0.045 * (1 + 0.5.squareRoot()), 80: 0.01])
}

@Test func linearFallsFromTheBaseToTheFloorOnTheLastStep() {
  // base + (floor − base) s / 74: s = 37 → 0.055; without warmup s = 20 of 80 → 0.1 − 0.09/4 = 0.0775.
  expectRates(schedule(.linear), [43: 0.055, 80: 0.01])
  expectRates(schedule(.linear, warmupEpochs: 0), [20: 0.0775, 80: 0.01])
}

@Test func stepsPastTheEndKeepTheFinalRate() {
  #expect(schedule(.cosine).learningRate(at: 500) == schedule(.cosine).learningRate(at: 80))
  #expect(schedule(.linear).learningRate(at: -3) == schedule(.linear).learningRate(at: 0))
}

@Test func oneCycleRampsWithItsOwnCosineThenAnnealsToTheFloor() {
  // 3 steps × 17 epochs = 51 steps, no warmup: ramp round(0.3 × 51) = 15 steps, peak P = 14, as
  // PyTorch's `pct_start × total − 1`. Start base/25 = 0.004; step 7 is halfway up:
  // 0.1 + (0.004 − 0.1)/2 = 0.052. Down phase over 36 steps: step 32 is halfway, 0.01 + 0.09/2 = 0.055.
  let oneCycle = LearningRateSchedule(
    kind: .oneCycle, baseLearningRate: 0.1, stepsPerEpoch: 3, epochs: 17, minLRRatio: 0.1)
  #expect(oneCycle.oneCyclePeakStep == 14)
  expectRates(oneCycle, [0: 0.004, 7: 0.052, 14: 0.1, 32: 0.055, 50: 0.01])
}

@Test func oneCycleTakesItsRampLengthFromTheWarmup() {
  // Warmup 2 epochs = 6 steps puts the peak on step 5, where a linear warmup would reach the base.
  var oneCycle = LearningRateSchedule(
    kind: .oneCycle, baseLearningRate: 0.1, stepsPerEpoch: 3, epochs: 17, warmupEpochs: 2, minLRRatio: 0.1)
  #expect(oneCycle.oneCyclePeakStep == 5)
  expectRates(oneCycle, [0: 0.004, 5: 0.1, 50: 0.01])
  oneCycle.warmupEpochs = 0
  let rates = (0..<oneCycle.totalSteps).map { oneCycle.learningRate(at: $0) }
  let largestJump = zip(rates, rates.dropFirst()).map { abs($1 - $0) }.max()!
  #expect(largestJump < 0.012, "one-cycle has no jumps")
}

@Test func plateauCountsReductionsInTheValidationHistory() {
  // Patience 2 evaluations, threshold 0.01, gamma 0.5, floor 0.01:
  //  1.0 best · 0.9 best · 0.895, 0.893, 0.894 three bad → cut 1 ·
  //  0.7 best · 0.71, 0.705, 0.70 (not below 0.69) three bad → cut 2 ·
  //  0.70, 0.695 bad · 0.65 best · 0.66 ×3 → cut 3 · 0.66 ×3 → cut 4, 0.1/16 floored to 0.01.
  let history = [
    1.0, 0.9, 0.895, 0.893, 0.894, 0.7, 0.71, 0.705, 0.70, 0.70, 0.695, 0.65, 0.66, 0.66, 0.66, 0.66,
    0.66, 0.66,
  ]
  var plateau = schedule(.plateau)
  plateau.stepSize = 2
  let expected: [(evaluations: Int, lr: Double)] = [
    (0, 0.1), (4, 0.1), (5, 0.05), (8, 0.05), (9, 0.025), (14, 0.025), (15, 0.0125), (18, 0.01),
  ]
  for (evaluations, lr) in expected {
    let actual = plateau.learningRate(at: 40, validationHistory: Array(history.prefix(evaluations)))
    #expect(abs(actual - lr) < 1e-12, "after \(evaluations) evaluations: \(actual), expected \(lr)")
  }
  // With threshold 0, 0.895 and 0.893 are improvements, so the first five evaluations cut nothing.
  #expect(plateauReductions(history: Array(history.prefix(5)), patience: 2, threshold: 0) == 0)
  #expect(plateauReductions(history: Array(history.prefix(5)), patience: 2, threshold: 0.01) == 1)
}

@Test func curveSamplesTheWholeScheduleEndToEnd() {
  let cosine = schedule(.cosine)
  let curve = cosine.curve(points: 5)
  #expect(curve.map(\.step) == [0, 20, 40, 60, 80])
  for point in curve { #expect(point.lr == cosine.learningRate(at: point.step)) }
  #expect(cosine.curve(points: 1000).count == 81)
}
