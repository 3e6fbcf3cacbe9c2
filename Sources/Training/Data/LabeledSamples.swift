/// A split of classification samples as the trainer sees it: how many there are and their classes.
///
/// What a sample *is* (a feature row, a token sequence, an image) is known only to the model that
/// reads it: the trainer picks sample indices and hands them with the data to
/// `FineTunableModel.forward(_:indices:training:)`, and the model gathers its own batch. So nothing
/// above the model needs to know which kind of model or data a run has.
public protocol LabeledSamples: Sendable {
  /// Number of samples.
  var count: Int { get }
  /// The class of each sample, in `0..<classes`.
  var labels: [Int] { get }
  /// Classes of the task (the head size), the same for every split of it.
  var classes: Int { get }
}

extension Dataset: LabeledSamples {}

extension LabeledSamples {
  /// Copies the labels of the samples at `indices` into `batchLabels`, reusing its buffer so a
  /// training step does not allocate.
  public func gatherLabels(_ indices: ArraySlice<Int>, into batchLabels: inout [Int]) {
    batchLabels.removeAll(keepingCapacity: true)
    let labels = labels
    for index in indices { batchLabels.append(labels[index]) }
  }
}
