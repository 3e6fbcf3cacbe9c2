import Testing

@testable import Training

@Test func ashaRungsSitAtGraceTimesEtaToTheK() {
  #expect(ASHAPruner(gracePeriod: 1, reductionFactor: 3, maxEpochs: 9).milestones == [1, 3, 9])
  #expect(ASHAPruner(gracePeriod: 1, reductionFactor: 4, maxEpochs: 40).milestones == [1, 4, 16])
  #expect(ASHAPruner(gracePeriod: 2, reductionFactor: 3, maxEpochs: 40).milestones == [2, 6, 18])
}

@Test func ashaDecisionsMatchAHandComputedRun() {
  var pruner = ASHAPruner(gracePeriod: 1, reductionFactor: 3, maxEpochs: 9)
  // (trial, epoch, loss, pruned?) in arrival order; cutoffs worked out by hand with numpy's
  // linear-interpolated percentile at 66.7 of the rewards (−loss) already recorded at the rung:
  let script: [(Int, Int, Double, Bool)] = [
    (1, 1, 1.0, false),  // first at rung 1: nothing to compare with
    (2, 1, 0.8, false),  // cutoff −1.0
    (3, 1, 1.2, true),  // cutoff −1.0 + 0.2·⅔ = −0.8667; −1.2 is below
    (4, 1, 0.85, false),  // [−1.2, −1.0, −0.8] → −1.0 + 0.2·⅓ = −0.9333
    (5, 1, 0.95, true),  // [−1.2, −1.0, −0.85, −0.8] → rank 2 → −0.85
    (4, 1, 5.0, false),  // a rung judges a trial once
    (1, 2, 0.9, false),  // no rung at epoch 2
    (1, 3, 0.7, false),  // first at rung 3
    (2, 3, 0.75, true),  // cutoff −0.7
    (4, 3, 0.6, false),  // [−0.75, −0.7] → −0.7167
  ]
  for (trial, epoch, loss, pruned) in script {
    let verdict = pruner.report(trial: trial, epoch: epoch, validationLoss: loss)
    #expect((verdict != nil) == pruned, "trial \(trial) epoch \(epoch)")
  }
  let reason = ASHAPruner(gracePeriod: 1, reductionFactor: 3, maxEpochs: 9).reasonAfter([(1, 1.0), (2, 1.5)])
  #expect(reason?.contains("ASHA rung at epoch 1") == true)
  #expect(reason?.contains("validation loss 1.5") == true)
}

@Test func ashaNeverPrunesATrialThatReachedItsLastEpoch() {
  // grace 2, η 3, 6 epochs: rungs at 2 and 6, but epoch 6 is the budget's end, as max_t in Ray.
  var pruner = ASHAPruner(gracePeriod: 2, reductionFactor: 3, maxEpochs: 6)
  #expect(pruner.milestones == [2, 6])
  #expect(pruner.report(trial: 1, epoch: 6, validationLoss: 0.5) == nil)
  #expect(pruner.report(trial: 2, epoch: 6, validationLoss: 9.0) == nil)
  #expect(pruner.report(trial: 1, epoch: 2, validationLoss: 0.5) == nil)
  #expect(pruner.report(trial: 2, epoch: 2, validationLoss: 9.0) != nil)
}

@Test func medianRuleMatchesAHandComputedRun() {
  var pruner = MedianPruner(startupTrials: 2, warmupEpochs: 1)
  for (epoch, loss) in [1.0, 0.8, 0.6].enumerated() {
    #expect(pruner.report(trial: 1, epoch: epoch + 1, validationLoss: loss) == nil)
  }
  pruner.trialCompleted(1)
  // One completed trial is fewer than the two startup trials: nothing is pruned yet.
  for (epoch, loss) in [1.2, 0.9, 0.7].enumerated() {
    #expect(pruner.report(trial: 2, epoch: epoch + 1, validationLoss: loss) == nil)
  }
  pruner.trialCompleted(2)
  // Medians at epochs 1, 2, 3: 1.1, 0.85, 0.65. A trial's best so far is compared with them.
  #expect(pruner.report(trial: 3, epoch: 1, validationLoss: 1.5) != nil)
  #expect(pruner.report(trial: 4, epoch: 1, validationLoss: 1.05) == nil)
  #expect(pruner.report(trial: 4, epoch: 2, validationLoss: 0.95) != nil)
  #expect(pruner.report(trial: 5, epoch: 1, validationLoss: 0.9) == nil)
  #expect(pruner.report(trial: 5, epoch: 2, validationLoss: 0.84) == nil)
  let verdict = pruner.report(trial: 5, epoch: 3, validationLoss: 1.0)
  #expect(verdict?.contains("median 0.65 of 2 completed trials") == true)

  var warm = MedianPruner(startupTrials: 1, warmupEpochs: 2)
  _ = warm.report(trial: 1, epoch: 1, validationLoss: 1.0)
  _ = warm.report(trial: 1, epoch: 2, validationLoss: 0.5)
  warm.trialCompleted(1)
  #expect(warm.report(trial: 2, epoch: 1, validationLoss: 3.0) == nil)
  #expect(warm.report(trial: 2, epoch: 2, validationLoss: 3.0) != nil)
}

extension ASHAPruner {
  fileprivate func reasonAfter(_ arrivals: [(Int, Double)]) -> String? {
    var pruner = self
    return arrivals.map { pruner.report(trial: $0.0, epoch: 1, validationLoss: $0.1) }.last!
  }
}
