/// What a run made of a user's table, for `summary.json` and the start of a run's log: the classes,
/// how many rows of each are in each split, and what was encoded, imputed and scaled.
public struct TableReport: Codable, Equatable, Sendable {
  public var classes: [String]
  /// Rows per class, in class order, of each split.
  public var trainCounts: [Int]
  public var validationCounts: [Int]
  public var testCounts: [Int]
  /// Missing cells written in with the training mean, by column, over the files read.
  public var imputed: [String: Int]
  /// Text columns one-hot encoded, with their number of categories.
  public var oneHot: [String: Int]
  public var normalize: String
  /// Where the scaling came from: `fitted on the training split` or the base model's path.
  public var scalingSource: String
  public var classWeights: [Float]?

  enum CodingKeys: String, CodingKey {
    case classes
    case trainCounts = "train_class_counts"
    case validationCounts = "val_class_counts"
    case testCounts = "test_class_counts"
    case imputed = "imputed_missing"
    case oneHot = "one_hot_columns"
    case normalize
    case scalingSource = "scaling_source"
    case classWeights = "class_weights"
  }

  static func counts(_ labels: [Int], classes: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: classes)
    for label in labels { counts[label] += 1 }
    return counts
  }

  /// `setosa 35/8/12, versicolor 35/7/13`: train/validation/test rows per class, for logs.
  public var countsLine: String {
    classes.indices.map { "\(classes[$0]) \(trainCounts[$0])/\(validationCounts[$0])/\(testCounts[$0])" }
      .joined(separator: ", ")
  }

  /// What `tunetop train` prints before a CSV run starts: rows per class of each split, encodings.
  public var startLines: String {
    var lines = ["classes (train/validation/test rows): \(countsLine)"]
    lines.append(
      "features: " + (normalize == "none" ? "no scaling" : "\(normalize) scaling, \(scalingSource)"))
    if !oneHot.isEmpty {
      lines.append(
        "one-hot: " + oneHot.keys.sorted().map { "\($0) (\(oneHot[$0]!))" }.joined(separator: ", "))
    }
    if !imputed.isEmpty {
      lines.append(
        "missing cells set to the training mean: "
          + imputed.keys.sorted().map { "\($0) \(imputed[$0]!)" }.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }
}
