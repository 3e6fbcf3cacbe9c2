import Foundation

/// A user's CSV task ready to train: its splits encoded and scaled, the preprocessing that did it
/// (stored with each checkpoint), class weights when asked for, and the report for the summary.
public struct TableTask: Sendable {
  public var preprocessing: TablePreprocessing
  public var splits: FineTuningSplits
  public var report: TableReport
  /// Per class, for the training loss; nil unless `class_weights: balanced`.
  public var classWeights: [Float]?

  /// Reads `hp.task` (and `val_task`/`test_task`), splits it by class and fits the encodings on the
  /// training split — or reuses `base`, the preprocessing stored with a base model or a resumed run.
  public static func load(
    _ hp: HyperParameters, base: TablePreprocessing?, baseDescription: String = "the base model"
  ) throws -> TableTask {
    let table = try read(hp.task)
    let roles = TableColumns.training(names: table.names, hasHeader: table.hasHeader)
    let labelColumn = roles.label!
    let labelCells = (0..<table.rowCount).map { table.text(row: $0, column: labelColumn) }
    if let row = labelCells.firstIndex(where: MissingValue.isMissing) {
      throw CSVDatasetError(
        source: table.source, line: table.lines[row],
        problem: .missingLabel(
          column: labelColumn + 1, name: table.hasHeader ? table.names[labelColumn] : nil))
    }
    var classes = ClassLabels.infer(from: labelCells)
    if let base, !hp.resetHead { classes = base.classes }

    // Labels are resolved before fitting, with a placeholder preprocessing that only knows the classes.
    let labelReader = TablePreprocessing(
      labelColumn: table.names[labelColumn], classes: classes, features: [], normalize: .none, offsets: [],
      scales: [])
    let labels = try labelReader.labels(table)
    guard Set(labels).count >= 2 else {
      throw CSVDatasetError(source: table.source, line: nil, problem: .singleClass(name: labelCells[0]))
    }
    let validationFile = hp.valTask == "none" ? nil : try read(hp.valTask)
    let testFile = hp.testTask == "none" ? nil : try read(hp.testTask)
    let rows = try StratifiedSplit.indices(
      labels: labels, classes: classes.count, valFraction: hp.valFraction, trainSamples: hp.trainSamples,
      seed: hp.seed, separateValidation: validationFile != nil, separateTest: testFile != nil)

    let preprocessing: TablePreprocessing
    let scalingSource: String
    if var base {
      base.classes = classes
      base.labelColumn = table.names[labelColumn]
      preprocessing = base
      scalingSource = "reused from \(baseDescription)"
    } else {
      let normalize = try normalization(hp)
      preprocessing = try TablePreprocessing.fit(
        table, columns: roles, trainRows: rows.train, classes: classes, normalize: normalize)
      scalingSource = "fitted on the training split"
    }

    func dataset(_ source: RawTable, _ rows: [Int]?) throws -> Dataset {
      Dataset(
        features: try preprocessing.encode(source, rows: rows),
        labels: try preprocessing.labels(source, rows: rows),
        classes: classes.count)
    }
    let train = try dataset(table, rows.train)
    let validation = try validationFile.map { try dataset($0, nil) } ?? dataset(table, rows.validation)
    let test = try testFile.map { try dataset($0, nil) } ?? dataset(table, rows.test)

    let trainCounts = TableReport.counts(train.labels, classes: classes.count)
    var weights: [Float]? = nil
    if hp.classWeights == "balanced" {
      // n / (K · n_c), as scikit-learn's compute_class_weight("balanced"); an absent class weighs 1.
      weights = trainCounts.map {
        $0 > 0 ? Float(Double(train.count) / (Double(classes.count) * Double($0))) : 1
      }
    }
    var imputed: [String: Int] = [:]
    for source in [table, validationFile, testFile].compactMap({ $0 }) {
      let located = try preprocessing.locate(in: source)
      for (index, feature) in preprocessing.features.enumerated() {
        let missing = source.missingCount(column: located[index])
        if missing > 0 { imputed[feature.name, default: 0] += missing }
      }
    }
    let report = TableReport(
      classes: classes.names, trainCounts: trainCounts,
      validationCounts: TableReport.counts(validation.labels, classes: classes.count),
      testCounts: TableReport.counts(test.labels, classes: classes.count), imputed: imputed,
      oneHot: Dictionary(
        uniqueKeysWithValues: preprocessing.features.compactMap { f in f.categories.map { (f.name, $0.count) }
        }),
      normalize: preprocessing.normalize.rawValue, scalingSource: scalingSource, classWeights: weights)
    return TableTask(
      preprocessing: preprocessing,
      splits: FineTuningSplits(train: train, validation: validation, test: test),
      report: report, classWeights: weights)
  }

  /// `auto` is `standard` for a model trained from scratch and `none` for a base model that stores
  /// no statistics (the built-in digits model was trained on raw pixels in [0, 1]).
  static func normalization(_ hp: HyperParameters) throws(ConfigError) -> Normalization {
    if hp.normalize == "auto" { return hp.baseModel == "none" ? .standard : .none }
    guard let normalize = Normalization(rawValue: hp.normalize) else {
      throw ConfigError(key: "normalize", message: "normalize must be one of auto, standard, minmax, none")
    }
    return normalize
  }

  /// Reads a training, validation or test file; the label and any `id` column stay text.
  public static func read(_ path: String) throws -> RawTable {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CSVDatasetError(
        source: path, line: nil, problem: .unreadable(reason: "No such file or directory"))
    }
    return try TableReader.read(path: path) { names, hasHeader in
      let roles = TableColumns.training(names: names, hasHeader: hasHeader)
      return Set([roles.label, roles.id].compactMap { $0 })
    }
  }
}
