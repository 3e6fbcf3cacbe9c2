import Foundation

/// Asynchronous successive halving as Ray Tune's `AsyncHyperBandScheduler` (one bracket).
///
/// Rungs sit at `gracePeriod · η^k` epochs below `maxEpochs`. The first time a trial reaches a rung
/// its loss is compared with the losses recorded there by earlier arrivals: it continues only if it
/// is within the best 1/η of them (Ray's cutoff: the (1 − 1/η) percentile of the rewards −loss,
/// interpolated linearly), and its loss is then recorded too. The first arrival always continues.
public struct ASHAPruner: TrialPruner {
  public let gracePeriod: Int
  public let reductionFactor: Double
  public let maxEpochs: Int
  /// Milestones in epochs, largest first, as Ray keeps them, with the rewards recorded at each.
  public private(set) var rungs: [(milestone: Double, rewards: [Int: Double])]

  public init(gracePeriod: Int = 1, reductionFactor: Double = 4, maxEpochs: Int) {
    let grace = max(1, gracePeriod)
    let factor = max(2, reductionFactor)
    self.gracePeriod = grace
    self.reductionFactor = factor
    self.maxEpochs = maxEpochs
    let span = Double(max(maxEpochs, grace)) / Double(grace)
    let count = max(1, Int(log(span) / log(factor) + 1))
    rungs = (0..<count).reversed().map { (Double(grace) * pow(factor, Double($0)), [:]) }
  }

  /// The rung epochs, smallest first.
  public var milestones: [Double] { rungs.map(\.milestone).reversed() }

  public mutating func report(trial: Int, epoch: Int, validationLoss: Double) -> String? {
    // As Ray: a trial at max_t has finished its budget; it is stopped as done, not judged at a rung
    // that sits there, so a trial that trained every epoch never ends as pruned.
    if epoch >= maxEpochs { return nil }
    let reward = -validationLoss
    for index in rungs.indices {
      let (milestone, rewards) = rungs[index]
      if Double(epoch) < milestone || rewards[trial] != nil { continue }
      var verdict: String?
      if let cutoff = percentile(Array(rewards.values), (1 - 1 / reductionFactor) * 100), reward < cutoff {
        verdict =
          "ASHA rung at epoch \(formatNumber(milestone)): validation loss \(String(format: "%.4g", validationLoss)) is not in the best 1/\(formatNumber(reductionFactor)) of the \(rewards.count) trials that reached it (cutoff \(String(format: "%.4g", -cutoff)))"
      }
      rungs[index].rewards[trial] = reward
      return verdict
    }
    return nil
  }

  public mutating func trialCompleted(_ trial: Int) {}
}
