/// Per-class precision, recall and F1 and the macro-F1 of one evaluation, from its confusion matrix.
///
/// Follows scikit-learn's `precision_recall_fscore_support` with `zero_division=0`: a class never
/// predicted has precision 0, a class absent from the data recall 0, and F1 is 2·TP / (2·TP + FP + FN)
/// (0 when that is 0/0). Macro-F1 averages the classes that occur in the data or the predictions,
/// as `f1_score(average="macro")` does when no label list is given.
public struct ClassMetrics: Sendable, Equatable, Codable {
  public let confusion: ConfusionMatrix
  public let precision: [Double]
  /// Per-class accuracy: the share of each class's samples predicted right.
  public let recall: [Double]
  public let f1: [Double]
  public let support: [Int]
  public let macroF1: Double

  public init(confusion: ConfusionMatrix) {
    self.confusion = confusion
    let classes = confusion.classes
    var precision = [Double](repeating: 0, count: classes)
    var recall = [Double](repeating: 0, count: classes)
    var f1 = [Double](repeating: 0, count: classes)
    var support = [Int](repeating: 0, count: classes)
    var f1Sum = 0.0
    var present = 0
    for index in 0..<classes {
      let truePositives = confusion[index, index]
      let actual = confusion.support(index)
      let predicted = confusion.predictions(index)
      support[index] = actual
      precision[index] = predicted > 0 ? Double(truePositives) / Double(predicted) : 0
      recall[index] = actual > 0 ? Double(truePositives) / Double(actual) : 0
      let denominator = actual + predicted  // 2·TP + FP + FN
      f1[index] = denominator > 0 ? 2 * Double(truePositives) / Double(denominator) : 0
      if denominator > 0 {
        f1Sum += f1[index]
        present += 1
      }
    }
    self.precision = precision
    self.recall = recall
    self.f1 = f1
    self.support = support
    macroF1 = present > 0 ? f1Sum / Double(present) : 0
  }

  public var classes: Int { confusion.classes }

  public var accuracy: Double {
    let total = confusion.total
    return total > 0 ? Double(confusion.correct) / Double(total) : 0
  }

  // Only the matrix is stored: everything else follows from it.
  enum CodingKeys: String, CodingKey { case confusion }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(confusion: try container.decode(ConfusionMatrix.self, forKey: .confusion))
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(confusion, forKey: .confusion)
  }
}
