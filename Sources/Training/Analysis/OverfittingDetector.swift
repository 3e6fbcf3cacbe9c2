/// Decides from epoch metrics whether a run has started to overfit, and since when.
///
/// Overfitting is called once validation loss has stayed above its best value for `patience`
/// evaluations in a row while train loss kept falling below where it was at that best epoch. The
/// onset is the best epoch: the last point where more training still helped.
public struct OverfittingDetector: Sendable, Equatable {
  public var patience: Int
  public var minDelta: Double

  public init(patience: Int, minDelta: Double = 0) {
    // With early stopping off (patience 0) the marker still shows, after three evaluations.
    self.patience = patience > 0 ? patience : 3
    self.minDelta = minDelta
  }

  /// The epoch where overfitting began, or nil. The arrays are per evaluation, oldest first;
  /// `epochs[i]` names evaluation i.
  public func onset(epochs: [Int], trainLoss: [Double], validationLoss: [Double]) -> Int? {
    let count = min(epochs.count, trainLoss.count, validationLoss.count)
    guard count > patience else { return nil }
    var best = 0
    for index in 1..<count where validationLoss[index] < validationLoss[best] - minDelta {
      best = index
    }
    let after = (best + 1)..<count
    guard after.count >= patience else { return nil }
    let stillRising = after.allSatisfy { validationLoss[$0] > validationLoss[best] + minDelta }
    let trainFalling =
      trainLoss[count - 1] < trainLoss[best] && after.allSatisfy { trainLoss[$0] <= trainLoss[best] }
    // Epoch 0 (no training yet) has no train loss from training; only trained epochs count as "falling".
    return stillRising && trainFalling ? epochs[best] : nil
  }
}
