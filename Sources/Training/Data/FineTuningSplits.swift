/// The fixed held-out test and validation sets of a task, and the training samples a run draws.
public struct FineTuningSplits: Equatable, Sendable {
  public let train: Dataset
  public let validation: Dataset
  /// Never used for training or model selection; the honest final score.
  public let test: Dataset

  /// Fraction of the rows held out as the test set.
  public static let testFraction = 0.25
  /// Fixes which rows are test and validation, independent of the run seed, so runs are comparable.
  public static let splitSeed: UInt64 = 1998

  public init(train: Dataset, validation: Dataset, test: Dataset) {
    self.train = train
    self.validation = validation
    self.test = test
  }

  /// Splits `dataset` the same way for the built-in task and for user CSV data.
  ///
  /// The rows are shuffled with `splitSeed`; the first 25% are the test set, the next `valFraction`
  /// of the remaining pool is the validation set, and the rest are training candidates. The run
  /// `seed` then shuffles the candidates and takes the first `trainSamples`, so a different seed
  /// draws different samples while validation and test stay fixed, and with one seed a larger
  /// `trainSamples` draws a superset of a smaller one.
  public static func split(
    _ dataset: Dataset, trainSamples: Int, valFraction: Double, seed: Int
  ) throws(DatasetError) -> FineTuningSplits {
    let rows = try indices(
      count: dataset.count, trainSamples: trainSamples, valFraction: valFraction, seed: seed)
    return FineTuningSplits(
      train: dataset.subset(rows.train), validation: dataset.subset(rows.validation),
      test: dataset.subset(rows.test))
  }

  /// The row indices `split` selects, exposed so tests can check the sets are disjoint.
  static func indices(
    count: Int, trainSamples: Int, valFraction: Double, seed: Int
  ) throws(DatasetError) -> (train: [Int], validation: [Int], test: [Int]) {
    guard valFraction > 0, valFraction < 1 else { throw .invalidValFraction(valFraction) }
    var order = Array(0..<count)
    var splitter = SplitMix64(seed: splitSeed)
    splitter.shuffle(&order)

    let testCount = Int((Double(count) * testFraction).rounded())
    let poolCount = count - testCount
    let validationCount = Int((Double(poolCount) * valFraction).rounded())
    let candidateCount = poolCount - validationCount
    guard testCount >= 1, validationCount >= 1, candidateCount >= 1 else {
      throw .tooFewSamples(count: count, needed: minimumCount(valFraction: valFraction))
    }
    guard trainSamples >= 1, trainSamples <= candidateCount else {
      throw .invalidTrainSamples(requested: trainSamples, available: candidateCount)
    }

    var candidates = Array(order[(testCount + validationCount)...])
    var drawer = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
    drawer.shuffle(&candidates)
    return (
      train: Array(candidates.prefix(trainSamples)),
      validation: Array(order[testCount..<(testCount + validationCount)]),
      test: Array(order[..<testCount])
    )
  }

  /// The smallest row count that leaves a test, a validation and a training sample.
  private static func minimumCount(valFraction: Double) -> Int {
    var count = 3
    while true {
      let test = Int((Double(count) * testFraction).rounded())
      let pool = count - test
      let validation = Int((Double(pool) * valFraction).rounded())
      if test >= 1 && validation >= 1 && pool - validation >= 1 { return count }
      count += 1
    }
  }
}
