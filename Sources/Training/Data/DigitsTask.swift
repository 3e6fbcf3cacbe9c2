import Foundation

/// The built-in task (DESIGN §7): UCI 8×8 handwritten digits, pretrained clean, fine-tuned on a variant.
///
/// Data: the test set of "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak
/// (1998), UCI Machine Learning Repository, CC BY 4.0, as shipped by scikit-learn.
public enum DigitsTask {
  public static let imageSide = 8
  public static let classes = 10
  public static let sampleCount = 1797
  /// Fixes the pretraining/fine-tuning halves for every run and every machine.
  public static let splitSeed: UInt64 = 1998

  /// All 1797 clean images in file order, pixels scaled from 0...16 to [0, 1].
  public static func all() throws(DatasetError) -> Dataset {
    try loaded.get()
  }

  /// The clean half reserved for `tunetop pretrain`, split into train and validation by `seed`.
  public static func pretrainingSplits(
    seed: Int, valFraction: Double = 0.2
  ) throws(DatasetError) -> (train: Dataset, validation: Dataset) {
    guard valFraction > 0, valFraction < 1 else { throw .invalidValFraction(valFraction) }
    let dataset = try all()
    var rows = halves().pretraining
    var rng = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
    rng.shuffle(&rows)
    let validationCount = Int((Double(rows.count) * valFraction).rounded())
    return (
      train: dataset.subset(Array(rows[validationCount...])),
      validation: dataset.subset(Array(rows[..<validationCount]))
    )
  }

  /// The fine-tuning half with `variant` applied, split by `FineTuningSplits.split`: test and
  /// validation are fixed, `seed` picks which `trainSamples` of the candidates are trained on.
  public static func fineTuningSplits(
    variant: DigitsVariant, trainSamples: Int, valFraction: Double, seed: Int
  ) throws(DatasetError) -> FineTuningSplits {
    let clean = try all().subset(halves().fineTuning)
    let dataset = Dataset(features: variant.apply(to: clean.features), labels: clean.labels, classes: classes)
    return try FineTuningSplits.split(
      dataset, trainSamples: trainSamples, valFraction: valFraction, seed: seed)
  }

  /// Row indices of the two disjoint halves: the pretraining half gets the smaller, 898 rows.
  static func halves() -> (pretraining: [Int], fineTuning: [Int]) {
    var order = Array(0..<sampleCount)
    var rng = SplitMix64(seed: splitSeed)
    rng.shuffle(&order)
    let half = sampleCount / 2
    return (Array(order[..<half]), Array(order[half...]))
  }

  /// Parsed once per process; a `static let` initialiser runs exactly once, even across threads.
  private static let loaded: Result<Dataset, DatasetError> = Result { () throws(DatasetError) in try load() }

  private static func load() throws(DatasetError) -> Dataset {
    guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv", subdirectory: "Resources")
    else { throw .missingResource("Resources/digits.csv") }
    let raw: Dataset
    do {
      raw = try CSVDataset.load(path: url.path)
    } catch {
      throw .corruptResource(error.description)
    }
    guard raw.count == sampleCount, raw.featureCount == imageSide * imageSide, raw.classes == classes else {
      throw .corruptResource(
        "\(raw.count) rows of \(raw.featureCount) pixels with \(raw.classes) classes; expected "
          + "\(sampleCount) rows of \(imageSide * imageSide) pixels with \(classes) classes")
    }
    guard raw.features.storage.allSatisfy({ (0...16).contains($0) }) else {
      throw .corruptResource("a pixel is outside 0...16")
    }
    let scaled = Matrix(
      rows: raw.count, cols: raw.featureCount, storage: raw.features.storage.map { $0 / 16 })
    return Dataset(features: scaled, labels: raw.labels, classes: classes)
  }
}
