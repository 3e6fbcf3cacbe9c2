import Testing

@testable import Training

/// `a` = [3, 0] in `hidden1`, `b` = [0, 4] in `head`, `c` = [100] in frozen `embed`.
private func clippingStore() -> ParameterStore {
  let store = ParameterStore()
  store.allocate(name: "embed.weight", group: "embed", shape: [1])
  store.allocate(name: "hidden1.weight", group: "hidden1", shape: [2])
  store.allocate(name: "head.weight", group: "head", shape: [2])
  store.setFrozen(true, group: "embed")
  store.gradients = [100, 3, 0, 0, 4]
  return store
}

@Test func clippingScalesTrainableGradientsToTheMaximumNorm() {
  let store = clippingStore()
  // Global norm over trainable tensors: √(3² + 4²) = 5; the frozen 100 does not count.
  let norm = clipGradientNorm(store, maxNorm: 1)
  #expect(abs(norm - 5) < 1e-6)
  // Scale 1 / (5 + 1e-6): [3, 0, 0, 4] → [0.6, 0, 0, 0.8]; the frozen gradient is untouched.
  let expected: [Float] = [100, 0.6, 0, 0, 0.8]
  for (actual, wanted) in zip(store.gradients, expected) { #expect(abs(actual - wanted) < 1e-5) }
}

@Test(arguments: [Float(10), 5, 0, -1])
func clippingLeavesGradientsAloneWhenUnderTheLimitOrOff(maxNorm: Float) {
  let store = clippingStore()
  #expect(abs(clipGradientNorm(store, maxNorm: maxNorm) - 5) < 1e-6)
  #expect(store.gradients == [100, 3, 0, 0, 4])
}

@Test func clippingReportsANonFiniteNormWithoutScaling() {
  let store = clippingStore()
  store.gradients[1] = .infinity
  #expect(clipGradientNorm(store, maxNorm: 1) == .infinity)
  #expect(store.gradients[4] == 4)
}
