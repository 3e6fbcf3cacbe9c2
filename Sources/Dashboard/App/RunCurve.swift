import Training

/// One run's epoch metrics as the compare chart draws them, placed after its parent's epoch for a fork.
public struct RunCurve: Equatable, Sendable {
  public var name: String
  public var path: String
  public var settings: HyperParameters?
  public var parent: RunParent?
  public var epochs: [EpochMetrics]

  public init(
    name: String, path: String, settings: HyperParameters?, parent: RunParent? = nil, epochs: [EpochMetrics]
  ) {
    self.name = name
    self.path = path
    self.settings = settings
    self.parent = parent
    self.epochs = epochs
  }

  /// The points of `metric` on `axis`; a fork's epoch 0 is its parent's epoch, so it starts there.
  public func points(_ metric: CompareMetric, axis: CompareAxis) -> [(x: Double, y: Double)] {
    let offset = axis == .epoch ? parent?.epoch ?? 0 : parent?.step ?? 0
    return epochs.compactMap { row in
      let y = metric.value(row)
      // Epoch 0 has no training loss: it measures the starting model.
      guard y.isFinite, !(metric == .trainLoss && row.epoch == 0) else { return nil }
      // On the epoch axis a mid-epoch evaluation sits at its position (2.5), between the epoch ends.
      return (Double(offset) + (axis == .epoch ? row.position : Double(row.step)), y)
    }
  }
}

/// What the compare chart plots.
public enum CompareMetric: String, CaseIterable, Sendable {
  case validationLoss = "val loss"
  case validationAccuracy = "val accuracy"
  case trainLoss = "train loss"

  func value(_ row: EpochMetrics) -> Double {
    switch self {
    case .validationLoss: row.validationLoss
    case .validationAccuracy: row.validationAccuracy
    case .trainLoss: row.trainLoss
    }
  }

  var next: CompareMetric {
    let all = CompareMetric.allCases
    return all[(all.firstIndex(of: self)! + 1) % all.count]
  }
}

/// The compare chart's x axis.
public enum CompareAxis: String, Sendable {
  case epoch, step
}
