import Training

/// What the per-class view remembers of a run: every epoch's validation accuracy of each class
/// (as Float, for memory) and only the latest confusion matrix, so a long run costs
/// classes × epochs numbers and one matrix, not a matrix per epoch.
public struct ClassHistory: Equatable, Sendable {
  public var names: [String]
  /// Epoch number of each point of `accuracy`.
  public private(set) var epochs: [Int] = []
  /// `accuracy[class][point]`: the share of the class's validation samples predicted right (recall).
  public private(set) var accuracy: [[Float]]
  /// Each class's best accuracy so far and the epoch it was reached.
  public private(set) var best: [(value: Float, epoch: Int)]
  public private(set) var latest: ClassMetrics
  public private(set) var latestEpoch: Int
  /// Where the latest evaluation happened, in epochs: `latestEpoch`, or 2.57 for a mid-epoch one.
  public private(set) var latestPosition: Double

  /// A class whose accuracy fell this far below its best is marked as slipping…
  public static let slipMargin: Float = 0.05
  /// …if that is also this many of its validation samples, so one sample of a small class is not
  /// taken for a trend.
  public static let slipSamples: Float = 2

  public init(names: [String], epoch: Int, metrics: ClassMetrics, position: Double? = nil) {
    self.names = names
    accuracy = Array(repeating: [], count: metrics.classes)
    best = Array(repeating: (-1, 0), count: metrics.classes)
    latest = metrics
    latestEpoch = epoch
    latestPosition = position ?? Double(epoch)
    append(epoch: epoch, metrics: metrics, position: position)
  }

  public mutating func append(epoch: Int, metrics: ClassMetrics, position: Double? = nil) {
    guard metrics.classes == accuracy.count else { return }
    epochs.append(epoch)
    for index in 0..<metrics.classes {
      let value = Float(metrics.recall[index])
      accuracy[index].append(value)
      if value > best[index].value { best[index] = (value, epoch) }
    }
    latest = metrics
    latestEpoch = epoch
    latestPosition = position ?? Double(epoch)
  }

  public var classes: Int { accuracy.count }

  /// True when the class's latest accuracy is more than `slipMargin` and `slipSamples` below its
  /// best: the class the model has started to forget or overfit away from.
  public func isSlipping(_ index: Int) -> Bool {
    guard let last = accuracy[index].last else { return false }
    let drop = best[index].value - last
    return drop > Self.slipMargin && drop * Float(latest.support[index]) >= Self.slipSamples - 1e-3
  }

  /// At most `limit` evenly spaced points of a class's series (always the latest), so drawing a
  /// frame does not cost time proportional to the length of the run.
  public func series(_ index: Int, limit: Int) -> [Double] {
    let values = accuracy[index]
    guard values.count > limit, limit > 1 else { return values.map(Double.init) }
    return (0..<limit).map { Double(values[$0 * (values.count - 1) / (limit - 1)]) }
  }

  public static func == (left: ClassHistory, right: ClassHistory) -> Bool {
    left.names == right.names && left.epochs == right.epochs && left.accuracy == right.accuracy
      && left.latest == right.latest && left.latestEpoch == right.latestEpoch
  }
}
