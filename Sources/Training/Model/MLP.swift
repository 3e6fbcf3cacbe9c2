import Foundation

/// A multilayer perceptron classifier built from named layer groups (`hidden1`, `hidden2`, …,
/// `head`) over one `ParameterStore`: the model the trainer fine-tunes.
///
/// A hidden group is Dense → ReLU → Dropout and `head` is a Dense producing logits. The group is the
/// unit of freezing and of per-group learning rates, both of which live in `store`. It reads
/// feature rows: a `Dataset` whose feature count is `inputSize`.
public final class MLP: FineTunableModel {
  /// One named group's layers, bottom to top.
  struct LayerGroup {
    let name: String
    let dense: Dense
    let layers: [any Layer]
    let dropout: Dropout?
  }

  public let store = ParameterStore()
  public let inputSize: Int
  public let hiddenSizes: [Int]
  public let classes: Int
  /// Group names bottom (closest to the input) to top (`head`).
  public let groupNames: [String]
  let groups: [LayerGroup]
  /// The rows of the batch being trained or evaluated, gathered in place at every forward.
  private var batchInput = Matrix(rows: 0, cols: 0)

  public var kind: String { "mlp" }

  /// Dropout rate of every hidden group; setting it takes effect at the next forward.
  public var dropout: Float {
    didSet { for group in groups { group.dropout?.rate = dropout } }
  }

  /// State of each hidden group's dropout generator, bottom to top, saved so a resumed run draws
  /// the same masks as an uninterrupted one.
  public var dropoutRNGStates: [UInt64] {
    get { groups.compactMap { $0.dropout?.rngState } }
    set {
      let dropouts = groups.compactMap(\.dropout)
      precondition(
        newValue.count == dropouts.count, "\(newValue.count) states for \(dropouts.count) dropouts")
      for (layer, state) in zip(dropouts, newValue) { layer.rngState = state }
    }
  }

  public init(inputSize: Int, hiddenSizes: [Int], classes: Int, dropout: Float, seed: UInt64) {
    precondition(inputSize > 0 && classes > 0, "an MLP needs inputs and classes")
    precondition(hiddenSizes.allSatisfy { $0 > 0 }, "hidden sizes must be positive")
    self.inputSize = inputSize
    self.hiddenSizes = hiddenSizes
    self.classes = classes
    self.dropout = dropout
    var rng = SplitMix64(seed: seed)
    var groups: [LayerGroup] = []
    var width = inputSize
    for (index, size) in hiddenSizes.enumerated() {
      let name = "hidden\(index + 1)"
      let dense = Dense(store: store, group: name, inputSize: width, outputSize: size, rng: &rng)
      let drop = Dropout(rate: dropout, seed: rng.next())
      groups.append(LayerGroup(name: name, dense: dense, layers: [dense, ReLU(), drop], dropout: drop))
      width = size
    }
    let head = Dense(
      store: store, group: "head", inputSize: width, outputSize: classes, initialization: .xavierUniform,
      rng: &rng)
    groups.append(LayerGroup(name: "head", dense: head, layers: [head], dropout: nil))
    self.groups = groups
    groupNames = groups.map(\.name)
  }

  public func checkInputs(_ data: any LabeledSamples) throws {
    guard let rows = data as? Dataset else {
      throw ConfigError(
        key: "task", message: "an MLP reads rows of numeric features; this task gives \(type(of: data))")
    }
    guard rows.featureCount == inputSize else {
      throw ConfigError(
        key: "task",
        message: "the data has \(rows.featureCount) feature columns but the model takes \(inputSize) inputs")
    }
  }

  public func forward(_ data: any LabeledSamples, indices: ArraySlice<Int>, training: Bool) -> Matrix {
    guard let rows = data as? Dataset else {
      preconditionFailure("an MLP reads a Dataset of feature rows, not \(type(of: data))")
    }
    rows.gatherFeatures(indices, into: &batchInput)
    return forward(batchInput, training: training)
  }

  /// Logits for each row of `x`; `training` switches dropout on.
  public func forward(_ x: Matrix, training: Bool) -> Matrix {
    precondition(x.cols == inputSize, "input has \(x.cols) features, the model takes \(inputSize)")
    var activation = x
    for group in groups {
      for layer in group.layers { activation = layer.forward(activation, training: training) }
    }
    // An evaluation forward is never differentiated: let go of the inputs the dense layers hold,
    // so the next training step writes its buffers in place instead of copying them.
    if !training { for group in groups { group.dense.releaseCachedInput() } }
    return activation
  }

  /// Accumulates parameter gradients of the last `forward` into `store.gradients`; once per forward.
  ///
  /// Work stops at the lowest trainable group: nothing below it is touched, and its bottom layer
  /// computes no input gradient. A frozen group above it still passes the gradient through.
  public func backward(_ logitsGradient: Matrix) {
    // The dense layers' cached inputs are not needed after this; holding them would make the
    // layer outputs (and the caller's batch) copy on write at the next step.
    defer { for group in groups { group.dense.releaseCachedInput() } }
    guard let lowest = groups.firstIndex(where: { store.isTrainable(group: $0.name) }) else { return }
    var gradient = logitsGradient
    for groupIndex in stride(from: groups.count - 1, through: lowest, by: -1) {
      let layers = groups[groupIndex].layers
      for layerIndex in stride(from: layers.count - 1, through: 0, by: -1) {
        let isBottom = groupIndex == lowest && layerIndex == 0
        if let next = layers[layerIndex].backward(gradient, needsInputGradient: !isBottom) {
          gradient = next
        }
      }
    }
  }

  /// Mean (unsmoothed unless asked) cross-entropy and accuracy over a whole set of feature rows, in
  /// evaluation mode, `batchSize` rows at a time. An empty set scores 0 for both.
  public func evaluate(
    features: Matrix, labels: [Int], batchSize: Int, labelSmoothing: Float = 0
  ) -> (loss: Double, accuracy: Double) {
    precondition(labels.count == features.rows, "\(labels.count) labels for \(features.rows) rows")
    let data = Dataset(features: features, labels: labels, classes: classes)
    return evaluate(data, batchSize: batchSize, labelSmoothing: labelSmoothing)
  }

  /// Draws fresh weights (and zero biases) for one group from `seed`.
  public func reinitialize(group name: String, seed: UInt64) {
    guard let group = groups.first(where: { $0.name == name }) else {
      preconditionFailure("unknown layer group \(name)")
    }
    var rng = SplitMix64(seed: seed)
    group.dense.reinitialize(rng: &rng)
  }
}
