import Foundation

/// How much of the spread in the objective one hyperparameter explains on its own.
///
/// The method is the correlation ratio η² of a one-way analysis of variance: the trials are
/// grouped by the parameter's value (each choice its own group; a range cut into up to five bins
/// of equal trial counts, on the log scale for log ranges), and η² is the variance of the group
/// means, weighted by group size, over the total variance. 1 means the parameter alone accounts
/// for every difference, 0 that it accounts for none. Parameters interact, so the shares need not
/// add up to 1; with few trials per bin η² leans high. A cheap stand-in for fANOVA.
public struct ParameterImportance: Sendable, Equatable {
  public var key: String
  /// η², in [0, 1].
  public var share: Double
  /// Groups the trials were split into for this parameter.
  public var bins: Int

  /// One entry per searched dimension with at least two distinct values, most important first;
  /// empty with fewer than three scored trials or when every objective is the same.
  public static func rank(space: SearchSpace, trials: [FinishedTrial]) -> [ParameterImportance] {
    let scored = trials.filter { $0.objective.isFinite }
    guard scored.count >= 3 else { return [] }
    let objectives = scored.map(\.objective)
    let mean = objectives.reduce(0, +) / Double(objectives.count)
    let total = objectives.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    guard total > 0 else { return [] }
    var result: [ParameterImportance] = []
    for (index, dimension) in space.dimensions.enumerated() {
      let groups: [Int]
      switch dimension.domain {
      case .fixed:
        continue
      case .choices:
        groups = scored.map {
          if case .choice(let choice) = $0.assignment[index] { return choice }
          return 0
        }
      case .range(_, _, let log):
        let coordinates = scored.map { trial -> Double in
          guard case .number(let value) = trial.assignment[index] else { return 0 }
          return log ? Foundation.log(value) : value
        }
        groups = equalCountBins(coordinates, bins: min(5, max(2, scored.count / 4)))
      }
      let distinct = Set(groups)
      guard distinct.count >= 2 else { continue }
      var between = 0.0
      for group in distinct {
        let members = zip(groups, objectives).filter { $0.0 == group }.map(\.1)
        let groupMean = members.reduce(0, +) / Double(members.count)
        between += Double(members.count) * (groupMean - mean) * (groupMean - mean)
      }
      result.append(
        ParameterImportance(key: dimension.key.name, share: between / total, bins: distinct.count))
    }
    return result.sorted { ($0.share, $1.key) > ($1.share, $0.key) }
  }

  /// Bin of each value when the sorted values are cut into `bins` runs of (nearly) equal length;
  /// equal values always share a bin.
  static func equalCountBins(_ values: [Double], bins: Int) -> [Int] {
    let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
    var result = [Int](repeating: 0, count: values.count)
    for (rank, index) in order.enumerated() {
      result[index] = rank * bins / values.count
    }
    // Ties straddling a cut go to the lower bin, so one value never lands in two groups.
    for position in 1..<max(1, order.count) where values[order[position]] == values[order[position - 1]] {
      result[order[position]] = result[order[position - 1]]
    }
    return result
  }
}
