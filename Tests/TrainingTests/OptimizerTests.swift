import Testing

@testable import Training

/// A store with one tensor `w` of the given values in group `head`.
private func singleTensorStore(_ values: [Float]) -> ParameterStore {
  let store = ParameterStore()
  store.allocate(name: "head.weight", group: "head", shape: [values.count])
  store.setValues(values, of: 0)
  return store
}

private func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 2e-6) {
  #expect(actual.count == expected.count)
  for (a, e) in zip(actual, expected) {
    #expect(abs(a - e) <= tolerance, "got \(actual), expected \(expected)")
  }
}

/// Runs `steps` steps with the same raw gradient each time and returns the parameters.
private func run(
  _ kind: OptimizerKind, momentum: Float = 0.9, weightDecay: Float, learningRate: Float = 0.1,
  from values: [Float], gradient: [Float], steps: Int
) -> [Float] {
  let store = singleTensorStore(values)
  let optimizer = Optimizer(kind: kind, momentum: momentum, weightDecay: weightDecay, store: store)
  for _ in 0..<steps {
    store.gradients = gradient
    optimizer.step(learningRate: learningRate)
  }
  return store.values
}

@Test func plainSGDStepsAgainstTheGradient() {
  // p = [1, -2], g = [0.5, 1], lr 0.1: p − 0.1·g = [0.95, −2.1].
  let p = run(.sgd, momentum: 0, weightDecay: 0, from: [1, -2], gradient: [0.5, 1], steps: 1)
  expectClose(p, [0.95, -2.1])
}

@Test func sgdWithMomentumMatchesPyTorch() {
  // lr 0.1, momentum 0.9, coupled wd 0.1, p = [1, −2], raw g = [0.5, 1] on both steps.
  // Step 1: g' = g + 0.1·p = [0.6, 0.8]; buf = g' (seeded) = [0.6, 0.8];
  //         p = [1 − 0.06, −2 − 0.08] = [0.94, −2.08].
  expectClose(run(.sgd, weightDecay: 0.1, from: [1, -2], gradient: [0.5, 1], steps: 1), [0.94, -2.08])
  // Step 2: g' = [0.5 + 0.094, 1 − 0.208] = [0.594, 0.792];
  //         buf = 0.9·[0.6, 0.8] + g' = [1.134, 1.512]; p = [0.94 − 0.1134, −2.08 − 0.1512].
  expectClose(
    run(.sgd, weightDecay: 0.1, from: [1, -2], gradient: [0.5, 1], steps: 2), [0.8266, -2.2312])
}

@Test func nesterovLooksAheadAlongTheMomentum() {
  // Same setup as SGD. Step 1: g' = [0.6, 0.8]; buf = [0.6, 0.8];
  //   update = g' + 0.9·buf = [1.14, 1.52]; p = [1 − 0.114, −2 − 0.152] = [0.886, −2.152].
  expectClose(
    run(.nesterov, weightDecay: 0.1, from: [1, -2], gradient: [0.5, 1], steps: 1), [0.886, -2.152])
  // Step 2: g' = [0.5 + 0.0886, 1 − 0.2152] = [0.5886, 0.7848];
  //   buf = 0.9·[0.6, 0.8] + g' = [1.1286, 1.5048]; update = g' + 0.9·buf = [1.60434, 2.13912];
  //   p = [0.886 − 0.160434, −2.152 − 0.213912] = [0.725566, −2.365912].
  expectClose(
    run(.nesterov, weightDecay: 0.1, from: [1, -2], gradient: [0.5, 1], steps: 2),
    [0.725566, -2.365912])
}

@Test func adamWithCoupledWeightDecayMatchesPyTorch() {
  // lr 0.1, coupled wd 0.1, p = [1, −2], raw g = [0.5, −1] on both steps.
  // Step 1: g' = g + 0.1·p = [0.6, −1.2]; m = 0.1·g' = [0.06, −0.12]; v = 0.001·g'² = [0.00036, 0.00144];
  //   m̂ = m / 0.1 = g', √v̂ = √(v / 0.001) = |g'|, so the update is sign(g') (ε is negligible):
  //   p = [1 − 0.1, −2 + 0.1] = [0.9, −1.9].
  expectClose(run(.adam, weightDecay: 0.1, from: [1, -2], gradient: [0.5, -1], steps: 1), [0.9, -1.9])
  // Step 2: g' = [0.5 + 0.09, −1 − 0.19] = [0.59, −1.19];
  //   m = 0.9·[0.06, −0.12] + 0.1·g' = [0.113, −0.227];
  //   v = 0.999·[0.00036, 0.00144] + 0.001·[0.3481, 1.4161] = [0.00070774, 0.00285466];
  //   1 − 0.9² = 0.19, 1 − 0.999² = 0.001999;
  //   m̂ = [0.5947368, −1.1947368], √v̂ = [√0.3540470, √1.4280440] = [0.5950185, 1.1950080];
  //   m̂ / √v̂ = [0.9995266, −0.9997731]; p = [0.9 − 0.09995266, −1.9 + 0.09997731].
  expectClose(
    run(.adam, weightDecay: 0.1, from: [1, -2], gradient: [0.5, -1], steps: 2),
    [0.8000473, -1.8000227])
}

@Test func adamWDecaysWeightsOutsideTheAdaptiveStep() {
  // lr 0.1, decoupled wd 0.1, p = [1, −2], raw g = [0.5, −1] on both steps.
  // Step 1: p ← p·(1 − 0.1·0.1) = [0.99, −1.98]; m = [0.05, −0.1], v = [0.00025, 0.001];
  //   m̂ = g, √v̂ = |g|, update = sign(g): p = [0.89, −1.88].
  expectClose(
    run(.adamw, weightDecay: 0.1, from: [1, -2], gradient: [0.5, -1], steps: 1), [0.89, -1.88])
  // Step 2: p ← [0.89·0.99, −1.88·0.99] = [0.8811, −1.8612];
  //   m = 0.9·[0.05, −0.1] + 0.1·g = [0.095, −0.19] → m̂ = m / 0.19 = [0.5, −1];
  //   v = 0.999·[0.00025, 0.001] + 0.001·[0.25, 1] = [0.00049975, 0.001999] → v̂ = v / 0.001999 = [0.25, 1];
  //   update = sign(g) again: p = [0.8811 − 0.1, −1.8612 + 0.1] = [0.7811, −1.7612].
  expectClose(
    run(.adamw, weightDecay: 0.1, from: [1, -2], gradient: [0.5, -1], steps: 2), [0.7811, -1.7612])
}

/// Two groups: `hidden1` (tensor 0, two values) and `head` (tensor 1, one value).
private func twoGroupStore() -> ParameterStore {
  let store = ParameterStore()
  store.allocate(name: "hidden1.weight", group: "hidden1", shape: [2])
  store.allocate(name: "head.weight", group: "head", shape: [1])
  store.values = [1, 2, 3]
  return store
}

@Test(arguments: OptimizerKind.allCases)
func frozenGroupIsNeitherUpdatedNorGivenState(kind: OptimizerKind) {
  let store = twoGroupStore()
  store.setFrozen(true, group: "hidden1")
  let optimizer = Optimizer(kind: kind, momentum: 0.9, weightDecay: 0.1, store: store)
  for _ in 0..<3 {
    store.gradients = [1, 1, 1]
    optimizer.step(learningRate: 0.1)
  }
  #expect(store.values[0..<2] == [1, 2])
  #expect(store.values[2] != 3)
  #expect(optimizer.stepCounts == [0, 3])
  #expect(optimizer.firstMoment[0..<2] == [0, 0])
  if kind.usesSecondMoment { #expect(optimizer.secondMoment[0..<2] == [0, 0]) }
  #expect(!optimizer.stateTensors().contains { $0.name.hasSuffix("hidden1.weight") })
}

@Test func groupLearningRateMultiplierScalesTheStep() {
  let store = twoGroupStore()
  store.learningRateMultipliers["hidden1"] = 0.5
  let optimizer = Optimizer(kind: .sgd, momentum: 0, weightDecay: 0, store: store)
  store.gradients = [1, 1, 1]
  optimizer.step(learningRate: 0.1)
  // hidden1 moves by 0.5·0.1·1, head by 0.1·1.
  expectClose(store.values, [0.95, 1.95, 2.9])
}

@Test func adamBiasCorrectionCountsStepsPerTensor() {
  let store = twoGroupStore()
  store.setFrozen(true, group: "hidden1")
  let optimizer = Optimizer(kind: .adam, momentum: 0, weightDecay: 0, store: store)
  for _ in 0..<5 {
    store.gradients = [0.5, -2, 1]
    optimizer.step(learningRate: 0.1)
  }
  store.setFrozen(false, group: "hidden1")
  store.gradients = [0.5, -2, 1]
  optimizer.step(learningRate: 0.1)
  // At t = 1, m̂ = g and √v̂ = |g|, so the first update is exactly lr·sign(g) = [−0.1, +0.1].
  // A global t = 6 would give m̂ = 0.1g / (1 − 0.9⁶) ≈ 0.1882g, √v̂ ≈ 0.4085|g|: a step of ≈ 0.046.
  expectClose(Array(store.values[0..<2]), [0.9, 2.1])
  #expect(optimizer.stepCounts == [1, 6])
}

@Test func resetStateMakesAnUnfrozenGroupStartFresh() {
  let store = twoGroupStore()
  let optimizer = Optimizer(kind: .adamw, momentum: 0, weightDecay: 0, store: store)
  store.gradients = [1, 1, 1]
  optimizer.step(learningRate: 0.1)
  store.setFrozen(true, group: "hidden1")
  optimizer.resetState(group: "hidden1")
  #expect(optimizer.stepCounts == [0, 1])
  #expect(optimizer.firstMoment[0..<2] == [0, 0])
  #expect(optimizer.firstMoment[2] != 0)
  #expect(optimizer.secondMoment[0..<2] == [0, 0])
  #expect(optimizer.secondMoment[2] != 0)
}

@Test(arguments: [OptimizerKind.nesterov, .adamw])
func stateRoundTripsThroughNamedTensors(kind: OptimizerKind) throws {
  func makeStore() -> ParameterStore { twoGroupStore() }
  let store = makeStore()
  let optimizer = Optimizer(kind: kind, momentum: 0.9, weightDecay: 0.01, store: store)
  for gradient: [Float] in [[1, -1, 0.5], [0.2, 0.3, -0.4]] {
    store.gradients = gradient
    optimizer.step(learningRate: 0.1)
  }
  let saved = optimizer.stateTensors()
  #expect(saved.map(\.name).contains("optim.step.head.weight"))

  let resumedStore = makeStore()
  resumedStore.values = store.values
  let resumed = Optimizer(kind: kind, momentum: 0.9, weightDecay: 0.01, store: resumedStore)
  try resumed.restoreState(saved + [(name: "head.weight", values: [7])])
  #expect(resumed.stepCounts == [2, 2])

  store.gradients = [-0.3, 0.1, 0.2]
  resumedStore.gradients = store.gradients
  optimizer.step(learningRate: 0.1)
  resumed.step(learningRate: 0.1)
  #expect(resumedStore.values == store.values)
}

@Test func restoringMismatchedStateFailsAndKeepsTheOldState() {
  let store = twoGroupStore()
  let optimizer = Optimizer(kind: .adam, momentum: 0, weightDecay: 0, store: store)
  store.gradients = [1, 1, 1]
  optimizer.step(learningRate: 0.1)
  let before = optimizer.stateTensors().map(\.values)

  #expect(throws: OptimizerStateError.unknownTensor("optim.exp_avg.nope")) {
    try optimizer.restoreState([(name: "optim.exp_avg.nope", values: [0])])
  }
  #expect(throws: OptimizerStateError.wrongCount(name: "optim.exp_avg.hidden1.weight", expected: 2, got: 1)) {
    try optimizer.restoreState([(name: "optim.exp_avg.hidden1.weight", values: [0])])
  }
  #expect(throws: OptimizerStateError.notKeptBy(.adam, name: "optim.momentum_buffer.head.weight")) {
    try optimizer.restoreState([(name: "optim.momentum_buffer.head.weight", values: [0])])
  }
  #expect(optimizer.stateTensors().map(\.values) == before)
}

@Test(arguments: OptimizerKind.allCases)
func everyOptimizerMinimisesAQuadratic(kind: OptimizerKind) {
  // f(p) = ½·Σ aᵢ(pᵢ − cᵢ)², an ill-conditioned bowl (curvatures 1 and 10) with its minimum at c.
  let curvature: [Float] = [1, 10]
  let minimum: [Float] = [3, -2]
  let store = singleTensorStore([0, 0])
  let optimizer = Optimizer(kind: kind, momentum: 0.9, weightDecay: 0, store: store)
  let schedule = LearningRateSchedule(
    kind: .cosine, baseLearningRate: kind.usesSecondMoment ? 0.1 : 0.05, stepsPerEpoch: 1,
    epochs: 400)
  for step in 0..<schedule.totalSteps {
    store.gradients = (0..<2).map { curvature[$0] * (store.values[$0] - minimum[$0]) }
    optimizer.step(learningRate: Float(schedule.learningRate(at: step)))
  }
  expectClose(store.values, minimum, tolerance: 1e-2)
}
