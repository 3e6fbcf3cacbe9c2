import Testing

@testable import Training

/// The incremental tracker must call overfitting exactly where the whole-history detector does, after
/// every evaluation, on noisy U-shaped curves, flat stretches, NaNs and every patience and min-delta.
@Test func trackerAgreesWithTheDetectorAfterEveryEvaluation() {
  var rng = SplitMix64(seed: 11)
  var onsetsSeen = 0
  for trial in 0..<300 {
    let patience = trial % 6
    let minDelta = trial % 3 == 0 ? 0 : Double(trial % 3) * 0.01
    let detector = OverfittingDetector(patience: patience, minDelta: minDelta)
    var tracker = OverfittingTracker(detector)
    var epochs: [Int] = []
    var train: [Double] = []
    var validation: [Double] = []
    let turn = Int(rng.next() % 40)
    for epoch in 1...60 {
      let noise = Double(rng.nextUnitFloat()) * 0.05
      // Quantized values make ties and "equal to best + min_delta" cases common.
      let u = Double(abs(epoch - turn)) * 0.02 + 0.5
      var v = ((trial % 2 == 0 ? u + noise : u) * 50).rounded() / 50
      if rng.next() % 97 == 0 { v = .nan }
      let t = (1.5 / Double(epoch) + (rng.next() % 5 == 0 ? noise : 0) * 50).rounded() / 50
      epochs.append(epoch)
      train.append(t)
      validation.append(v)
      let incremental = tracker.observe(epoch: epoch, trainLoss: t, validationLoss: v)
      let whole = detector.onset(epochs: epochs, trainLoss: train, validationLoss: validation)
      #expect(incremental == whole, "trial \(trial), epoch \(epoch)")
      if whole != nil { onsetsSeen += 1 }
    }
  }
  // The curves did overfit often enough for the comparison to mean something.
  #expect(onsetsSeen > 300)
}
