/// Row indices of a user's table split by class: each class contributes its share to the test
/// and validation sets, so a rare class is not left out of either by chance.
public enum StratifiedSplit {
  /// Within each class, rows are shuffled with `FineTuningSplits.splitSeed`; the first 25% are test
  /// (unless a test file is given), the next `valFraction` of the rest are validation (unless a
  /// validation file is given), and the remaining rows are training candidates. The run `seed`
  /// shuffles the candidates and `trainSamples` of them are trained on (`Int.max`: all).
  public static func indices(
    labels: [Int], classes: Int, valFraction: Double, trainSamples: Int, seed: Int,
    separateValidation: Bool, separateTest: Bool
  ) throws(DatasetError) -> (train: [Int], validation: [Int], test: [Int]) {
    guard valFraction > 0, valFraction < 1 else { throw .invalidValFraction(valFraction) }
    var byClass = [[Int]](repeating: [], count: classes)
    for (row, label) in labels.enumerated() { byClass[label].append(row) }
    var splitter = SplitMix64(seed: FineTuningSplits.splitSeed)
    var (test, validation, candidates) = ([Int](), [Int](), [Int]())
    for var rows in byClass {
      splitter.shuffle(&rows)
      let testCount = separateTest ? 0 : Int((Double(rows.count) * FineTuningSplits.testFraction).rounded())
      let pool = rows.count - testCount
      let validationCount = separateValidation ? 0 : Int((Double(pool) * valFraction).rounded())
      test += rows[..<testCount]
      validation += rows[testCount..<(testCount + validationCount)]
      candidates += rows[(testCount + validationCount)...]
    }
    guard separateTest || !test.isEmpty, separateValidation || !validation.isEmpty, !candidates.isEmpty else {
      throw .tooFewToStratify(count: labels.count, classes: classes)
    }
    var drawer = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
    drawer.shuffle(&candidates)
    if trainSamples != Int.max {
      guard trainSamples >= 1, trainSamples <= candidates.count else {
        throw .invalidTrainSamples(requested: trainSamples, available: candidates.count)
      }
      candidates = Array(candidates.prefix(trainSamples))
    }
    return (candidates, validation.sorted(), test.sorted())
  }
}
