/// Counts of (true class, predicted class) pairs over one evaluation pass: what per-class metrics
/// are computed from. Rows are true classes, columns predicted ones, as in scikit-learn.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
  public let classes: Int
  /// Row-major: `counts[truth * classes + predicted]`.
  public private(set) var counts: [Int]

  public init(classes: Int) {
    precondition(classes > 0, "a confusion matrix needs at least one class")
    self.classes = classes
    counts = Array(repeating: 0, count: classes * classes)
  }

  /// A matrix from its rows (true classes), each holding one count per predicted class.
  public init(rows: [[Int]]) {
    self.init(classes: rows.count)
    for (truth, row) in rows.enumerated() {
      precondition(row.count == classes, "row \(truth) has \(row.count) counts for \(classes) classes")
      for (predicted, count) in row.enumerated() { counts[truth * classes + predicted] = count }
    }
  }

  public subscript(truth: Int, predicted: Int) -> Int {
    counts[truth * classes + predicted]
  }

  public mutating func add(truth: Int, predicted: Int) {
    counts[truth * classes + predicted] += 1
  }

  /// Counts each row of `logits` under its label, predicting the first largest logit: the same
  /// tie-break as `SoftmaxCrossEntropy`, so the diagonal adds up to its correct count.
  public mutating func add(logits: Matrix, labels: ArraySlice<Int>) {
    precondition(logits.cols == classes, "logits have \(logits.cols) columns for \(classes) classes")
    precondition(labels.count == logits.rows, "\(labels.count) labels for \(logits.rows) rows")
    let width = classes
    logits.storage.withUnsafeBufferPointer { values in
      for (row, label) in labels.enumerated() {
        let start = row * width
        var best = 0
        var bestValue = values[start]
        for column in 1..<width where values[start + column] > bestValue {
          bestValue = values[start + column]
          best = column
        }
        counts[label * width + best] += 1
      }
    }
  }

  /// The rows, true class by true class.
  public var rows: [[Int]] {
    (0..<classes).map { Array(counts[($0 * classes)..<(($0 + 1) * classes)]) }
  }

  public var total: Int { counts.reduce(0, +) }

  /// Samples whose true class is `truth` (scikit-learn's support).
  public func support(_ truth: Int) -> Int {
    (0..<classes).reduce(0) { $0 + self[truth, $1] }
  }

  /// Samples predicted as `predicted`.
  public func predictions(_ predicted: Int) -> Int {
    (0..<classes).reduce(0) { $0 + self[$1, predicted] }
  }

  public var correct: Int { (0..<classes).reduce(0) { $0 + self[$1, $1] } }

  enum CodingKeys: String, CodingKey { case classes, counts }

  // A saved matrix is checked, so a damaged state file cannot index outside it.
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    classes = try container.decode(Int.self, forKey: .classes)
    counts = try container.decode([Int].self, forKey: .counts)
    guard classes > 0, counts.count == classes * classes, counts.allSatisfy({ $0 >= 0 }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .counts, in: container,
        debugDescription: "a confusion matrix of \(classes) classes needs \(classes * classes) counts ≥ 0")
    }
  }
}
