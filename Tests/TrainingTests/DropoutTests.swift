import Testing

@testable import Training

@Test func dropoutIsTheIdentityInEvaluation() {
  var rng = SplitMix64(seed: 51)
  let x = GradientCheck.randomMatrix(rows: 8, cols: 9, rng: &rng)
  let dropout = Dropout(rate: 0.5, seed: 1)
  let state = dropout.rngState
  #expect(dropout.forward(x, training: false) == x)
  #expect(dropout.backward(x, needsInputGradient: true) == x)
  #expect(dropout.rngState == state, "evaluation must not consume random numbers")
}

@Test(arguments: [Float(0.25), 0.5])
func dropoutKeepsOneMinusRateAndScalesByItsInverse(rate: Float) {
  let x = Matrix(rows: 200, cols: 500, repeating: 1)
  let dropout = Dropout(rate: 0.1, seed: 7)
  dropout.rate = rate  // hot edit: the next forward must use the new rate
  let y = dropout.forward(x, training: true)
  let scale = 1 / (1 - rate)
  let kept = y.storage.filter { $0 != 0 }
  #expect(kept.allSatisfy { $0 == scale })
  let keepRate = Double(kept.count) / Double(y.count)
  #expect(abs(keepRate - Double(1 - rate)) < 0.01)
  let mean = y.storage.reduce(0, +) / Float(y.count)
  #expect(abs(mean - 1) < 0.02, "inverted dropout preserves the expectation")
}

@Test func dropoutMasksReplayFromASavedGeneratorState() {
  var rng = SplitMix64(seed: 52)
  let x = GradientCheck.randomMatrix(rows: 4, cols: 16, rng: &rng)
  let dropout = Dropout(rate: 0.3, seed: 5)
  _ = dropout.forward(x, training: true)
  let saved = dropout.rngState
  let first = dropout.forward(x, training: true)
  let resumed = Dropout(rate: 0.3, seed: 0)
  resumed.rngState = saved
  #expect(resumed.forward(x, training: true) == first)
}
