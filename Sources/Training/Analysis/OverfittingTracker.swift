/// `OverfittingDetector`'s rule applied one evaluation at a time, in constant time and memory per
/// evaluation, so a run with 100,000 epochs costs the dashboard no more per epoch than one with ten.
///
/// It keeps the best evaluation so far and whether every evaluation since then has kept validation
/// loss above it and train loss at or below it; that is all the detector's rule looks at.
public struct OverfittingTracker: Sendable, Equatable {
  public let detector: OverfittingDetector
  private var count = 0
  private var best: (position: Double, trainLoss: Double, validationLoss: Double)?
  private var sinceBest = 0
  private var validationStayedAbove = true
  private var trainStayedBelow = true
  private var lastTrainLoss = Double.nan

  public init(_ detector: OverfittingDetector) {
    self.detector = detector
  }

  /// Adds the next evaluation and returns the onset as `detector.onset` would over all of them.
  public mutating func observe(epoch: Int, trainLoss: Double, validationLoss: Double) -> Int? {
    observe(position: Double(epoch), trainLoss: trainLoss, validationLoss: validationLoss).map { Int($0) }
  }

  /// Adds the next evaluation, placed in epochs (`2.5` for one halfway through epoch 3, with
  /// `eval_every_steps`), and returns where overfitting began, or nil.
  public mutating func observe(position: Double, trainLoss: Double, validationLoss: Double) -> Double? {
    count += 1
    lastTrainLoss = trainLoss
    if let current = best, !(validationLoss < current.validationLoss - detector.minDelta) {
      sinceBest += 1
      validationStayedAbove =
        validationStayedAbove && validationLoss > current.validationLoss + detector.minDelta
      trainStayedBelow = trainStayedBelow && trainLoss <= current.trainLoss
    } else {
      best = (position, trainLoss, validationLoss)
      sinceBest = 0
      validationStayedAbove = true
      trainStayedBelow = true
    }
    return onsetPosition
  }

  /// The epoch where overfitting began, or nil.
  public var onset: Int? { onsetPosition.map { Int($0) } }

  /// Where overfitting began, in epochs (the position of the last evaluation that improved), or nil.
  public var onsetPosition: Double? {
    guard let best, count > detector.patience, sinceBest >= detector.patience else { return nil }
    return validationStayedAbove && trainStayedBelow && lastTrainLoss < best.trainLoss ? best.position : nil
  }

  public static func == (lhs: OverfittingTracker, rhs: OverfittingTracker) -> Bool {
    lhs.detector == rhs.detector && lhs.count == rhs.count && lhs.best?.position == rhs.best?.position
      && lhs.sinceBest == rhs.sinceBest && lhs.validationStayedAbove == rhs.validationStayedAbove
      && lhs.trainStayedBelow == rhs.trainStayedBelow
  }
}
