import Foundation

/// A classifier the trainer, the LR finder, search, resume/fork and the checkpoint code fine-tune
/// without knowing which model it is: the MLP is one, a BERT-family encoder another.
///
/// A model is a stack of named layer groups, bottom (closest to the input) to top (`head`), over one
/// `ParameterStore`. The group is the unit of freezing, of the per-group learning-rate multiplier
/// and of the gradient norms the dashboard shows; all three live in `store`, which the optimizer and
/// gradient clipping walk as well. A model reads its own kind of samples: `forward` is handed the
/// split and the indices of one batch and gathers them into whatever batch it needs (feature rows,
/// padded token ids), reusing its buffers so a training step allocates nothing.
public protocol FineTunableModel: AnyObject {
  /// Short name of the kind of model (`mlp`, `bert`), written into every checkpoint as
  /// `format: tunetop-<kind>` so that loading one kind's weights into another fails clearly.
  var kind: String { get }
  /// Parameters, gradients, freezing and LR multipliers, by layer group.
  var store: ParameterStore { get }
  /// Layer groups bottom to top (`head` last): the order of the dashboard's layer rows, of
  /// gradual unfreezing and of layer-wise LR decay.
  var groupNames: [String] { get }
  /// Classes the head predicts (its output width).
  var classes: Int { get }
  /// Dropout rate used in training mode; a change takes effect at the next forward.
  var dropout: Float { get set }
  /// The state of every random generator the model draws from while training (dropout masks), in
  /// a fixed order, saved with a run so a resumed run draws what an uninterrupted one would.
  var dropoutRNGStates: [UInt64] { get set }
  /// Samples per forward when scoring a whole split: large for a small model, small for an encoder
  /// whose activations grow with batch × sequence length (and stay allocated afterwards).
  var evaluationBatchSize: Int { get }

  /// Throws, naming what is wrong, when `data` is not the kind of samples this model reads (or does
  /// not fit it, such as a feature count other than the input width). Called once per split before
  /// training, so `forward` may assume it.
  func checkInputs(_ data: any LabeledSamples) throws

  /// Logits ([indices.count × classes]) for the samples of `data` at `indices`; `training` turns
  /// dropout on and keeps what `backward` needs.
  func forward(_ data: any LabeledSamples, indices: ArraySlice<Int>, training: Bool) -> Matrix

  /// Accumulates the parameter gradients of the last training `forward` into `store.gradients`,
  /// from dL/dlogits; once per forward. Frozen groups receive none.
  func backward(_ logitsGradient: Matrix)

  /// Every parameter as a named tensor, in store order, for writing a checkpoint.
  func checkpointTensors() -> [NamedTensor]

  /// Loads weights by name; every tensor of the model must be present with the same shape, and a
  /// checkpoint written for another kind of model is refused. Groups in `skipping` (a head being
  /// reset) are left as they are.
  func load(_ checkpoint: SafeTensorsFile, path: String, skipping: Set<String>) throws

  /// Draws fresh weights for one group from `seed`, as when a new head is started.
  func reinitialize(group: String, seed: UInt64)
}

extension FineTunableModel {
  /// A small model scores 256 samples per forward.
  public var evaluationBatchSize: Int { 256 }

  /// The `format` metadata of this model's checkpoints.
  public var checkpointFormat: String { ModelCheckpointFormat.format(ofKind: kind) }

  /// Loads every group's weights; see `load(_:path:skipping:)`.
  public func load(_ checkpoint: SafeTensorsFile, path: String) throws {
    try load(checkpoint, path: path, skipping: [])
  }

  /// Layer-wise LR decay (`layer_lr_decay`): the head learns at the full rate, each group below at
  /// `decay` times the one above it.
  public func applyLayerLearningRateDecay(_ decay: Double) {
    for (depth, group) in groupNames.reversed().enumerated() {
      store.learningRateMultipliers[group] = Float(pow(decay, Double(depth)))
    }
  }

  public func parameterCount(group: String) -> Int { store.parameterCount(group: group) }

  /// The frozen groups, bottom to top.
  public var frozenGroups: [String] { groupNames.filter { !store.isTrainable(group: $0) } }

  /// Draws fresh weights for the head, as when fine-tuning onto a new task.
  public func resetHead(seed: UInt64) { reinitialize(group: "head", seed: seed) }

  /// Mean (unsmoothed unless asked) cross-entropy and accuracy over a whole split, in evaluation
  /// mode, `batchSize` samples at a time in order. An empty split scores 0 for both.
  public func evaluate(
    _ data: any LabeledSamples, batchSize: Int, labelSmoothing: Float = 0
  ) -> (loss: Double, accuracy: Double) {
    ModelEvaluator().evaluate(self, on: data, batchSize: batchSize, labelSmoothing: labelSmoothing)
  }
}

/// Scores a model on whole splits, keeping its buffers from one evaluation to the next so that a
/// run's per-epoch validation allocates (almost) nothing.
public final class ModelEvaluator {
  private let loss = SoftmaxCrossEntropy()
  private var indices: [Int] = []
  /// The split size and sample count `indices` was made for.
  private var indicesShape = (count: 0, used: 0)
  private var labels: [Int] = []

  public init() {}

  /// Mean (unsmoothed unless asked) cross-entropy and accuracy of `model` over `data`, in evaluation
  /// mode, `batchSize` samples at a time in order. An empty split scores 0 for both.
  public func evaluate(
    _ model: any FineTunableModel, on data: any LabeledSamples, batchSize: Int, labelSmoothing: Float = 0
  ) -> (loss: Double, accuracy: Double) {
    var confusion: ConfusionMatrix?
    return evaluate(
      model, on: data, batchSize: batchSize, labelSmoothing: labelSmoothing, confusion: &confusion)
  }

  /// `evaluate`, also counting each sample's predicted class into `confusion` (when not nil) from
  /// the same forward pass. With a `sampleLimit` below the split's size, only that many samples,
  /// evenly spaced over the split, are scored: an estimate for when the whole split costs too much.
  public func evaluate(
    _ model: any FineTunableModel, on data: any LabeledSamples, batchSize: Int, labelSmoothing: Float = 0,
    sampleLimit: Int = .max, confusion: inout ConfusionMatrix?
  ) -> (loss: Double, accuracy: Double) {
    precondition(batchSize > 0, "batch size must be positive")
    precondition(sampleLimit > 0, "the sample limit must be positive")
    guard data.count > 0 else { return (0, 0) }
    loss.labelSmoothing = labelSmoothing
    let used = min(data.count, sampleLimit)
    if indicesShape != (data.count, used) {
      indices = (0..<used).map { $0 * data.count / used }
      indicesShape = (data.count, used)
    }
    var totalLoss: Double = 0
    var correct = 0
    var start = 0
    while start < used {
      let end = min(start + batchSize, used)
      let logits = model.forward(data, indices: indices[start..<end], training: false)
      data.gatherLabels(indices[start..<end], into: &labels)
      let batch = loss.evaluate(logits: logits, labels: labels)
      confusion?.add(logits: logits, labels: labels[...])
      totalLoss += batch.loss * Double(end - start)
      correct += batch.correct
      start = end
    }
    let count = Double(used)
    return (totalLoss / count, Double(correct) / count)
  }
}

/// The `format` a tunetop checkpoint records, and the check that refuses another model's weights.
public enum ModelCheckpointFormat {
  static let prefix = "tunetop-"

  public static func format(ofKind kind: String) -> String { prefix + kind }

  /// Throws when `checkpoint` says it holds weights of a tunetop model of another kind. Files
  /// without a tunetop format (PyTorch's `pt`, none at all) are checked by tensor names and shapes.
  public static func check(_ checkpoint: SafeTensorsFile, path: String, kind: String) throws {
    guard let format = checkpoint.metadata["format"], format.hasPrefix(prefix) else { return }
    let found = String(format.dropFirst(prefix.count))
    if found.hasPrefix("training-state") {
      throw CheckpointMismatchError(
        path: path, message: "is a run's training state (format \(format)), not model weights")
    }
    guard found == kind else {
      throw CheckpointMismatchError(
        path: path,
        message:
          "was written for model kind \(found) (format \(format)), but this run's model is kind \(kind) (format \(Self.format(ofKind: kind))); point base_model at a checkpoint of kind \(kind)"
      )
    }
  }
}
