/// Labeled samples for classification: one feature row per sample and an integer class per row.
public struct Dataset: Equatable, Sendable {
  /// One row per sample.
  public let features: Matrix
  /// The class of each row, in `0..<classes`.
  public let labels: [Int]
  public let classes: Int

  public init(features: Matrix, labels: [Int], classes: Int) {
    precondition(features.rows == labels.count, "\(features.rows) feature rows but \(labels.count) labels")
    precondition(labels.allSatisfy { (0..<classes).contains($0) }, "a label is outside 0..<\(classes)")
    self.features = features
    self.labels = labels
    self.classes = classes
  }

  public var count: Int { labels.count }
  public var featureCount: Int { features.cols }

  /// Copies the samples at `indices` into `features` (one row each, reshaped in place) and their
  /// classes into `labels`, reusing both buffers so a training step does not allocate.
  public func gather(_ indices: ArraySlice<Int>, into batch: inout Matrix, labels batchLabels: inout [Int]) {
    gatherFeatures(indices, into: &batch)
    gatherLabels(indices, into: &batchLabels)
  }

  /// Copies the feature rows at `indices` into `batch`, reshaped in place, reusing its buffer.
  public func gatherFeatures(_ indices: ArraySlice<Int>, into batch: inout Matrix) {
    let width = featureCount
    batch.reshape(rows: indices.count, cols: width)
    features.storage.withUnsafeBufferPointer { source in
      batch.storage.withUnsafeMutableBufferPointer { target in
        for (row, index) in indices.enumerated() {
          let from = source.baseAddress! + index * width
          (target.baseAddress! + row * width).update(from: from, count: width)
        }
      }
    }
  }

  /// The samples at `indices`, in that order; `classes` is kept so every split has the same head size.
  public func subset(_ indices: [Int]) -> Dataset {
    let width = features.cols
    var storage = [Float]()
    storage.reserveCapacity(indices.count * width)
    for index in indices {
      storage.append(contentsOf: features.storage[(index * width)..<((index + 1) * width)])
    }
    return Dataset(
      features: Matrix(rows: indices.count, cols: width, storage: storage),
      labels: indices.map { labels[$0] }, classes: classes)
  }
}
