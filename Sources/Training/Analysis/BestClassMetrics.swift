/// The per-class metrics of a run's best epoch as `summary.json` holds them (`best_classes`): each
/// class by name with its precision, recall, F1 and support, the macro-F1 and the confusion matrix.
public struct BestClassMetrics: Sendable, Equatable, Codable {
  /// One class's row.
  public struct Row: Sendable, Equatable, Codable {
    public var name: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int

    enum CodingKeys: String, CodingKey {
      case name = "class"
      case precision, recall, f1, support
    }
  }

  public var macroF1: Double
  public var classes: [Row]
  /// Rows true classes, columns predicted, in the order of `classes`.
  public var confusion: [[Int]]

  public init(_ metrics: ClassMetrics, labels: ClassLabels) {
    precondition(labels.count == metrics.classes, "\(labels.count) names for \(metrics.classes) classes")
    macroF1 = metrics.macroF1
    classes = labels.names.indices.map {
      Row(
        name: labels.names[$0], precision: metrics.precision[$0], recall: metrics.recall[$0],
        f1: metrics.f1[$0], support: metrics.support[$0])
    }
    confusion = metrics.confusion.rows
  }

  enum CodingKeys: String, CodingKey {
    case macroF1 = "macro_f1"
    case classes, confusion
  }
}
