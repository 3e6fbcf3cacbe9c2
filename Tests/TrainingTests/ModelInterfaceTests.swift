import Foundation
import Testing

@testable import Training

/// Variable-length token sequences: a kind of sample the MLP cannot read, as a text task's are.
private struct TokenSequences: LabeledSamples {
  var sequences: [[Int]]
  var labels: [Int]
  var classes: Int
  var count: Int { labels.count }
}

/// A second model, unknown to everything above `FineTunableModel`: the mean of learned token
/// embeddings (group `embeddings`) fed to a dense `head`. It pads nothing and shares no code with the
/// MLP's forward, so a trainer that ran only MLPs would fail with it.
private final class MeanEmbeddingModel: FineTunableModel {
  let kind = "mean-embedding"
  let store = ParameterStore()
  let groupNames = ["embeddings", "head"]
  let classes: Int
  var dropout: Float = 0
  var dropoutRNGStates: [UInt64] {
    get { [] }
    set { precondition(newValue.isEmpty) }
  }
  let vocabulary: Int
  let width: Int
  private let embeddings: Int
  private let head: Dense
  private var pooled = Matrix(rows: 0, cols: 0)
  private var batch: [[Int]] = []

  init(vocabulary: Int, width: Int, classes: Int, seed: UInt64) {
    self.vocabulary = vocabulary
    self.width = width
    self.classes = classes
    var rng = SplitMix64(seed: seed)
    embeddings = store.allocate(name: "embeddings.weight", group: "embeddings", shape: [vocabulary, width])
    store.setValues((0..<(vocabulary * width)).map { _ in rng.nextGaussian() * 0.5 }, of: embeddings)
    head = Dense(store: store, group: "head", inputSize: width, outputSize: classes, rng: &rng)
  }

  func checkInputs(_ data: any LabeledSamples) throws {
    guard let tokens = data as? TokenSequences else {
      throw ConfigError(key: "task", message: "reads token sequences, not \(type(of: data))")
    }
    guard tokens.sequences.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0..<vocabulary).contains($0) } })
    else { throw ConfigError(key: "task", message: "a sequence is empty or has an unknown token") }
  }

  func forward(_ data: any LabeledSamples, indices: ArraySlice<Int>, training: Bool) -> Matrix {
    let tokens = data as! TokenSequences
    batch = indices.map { tokens.sequences[$0] }
    pooled.reshape(rows: batch.count, cols: width, zero: true)
    let table = store.values[store.tensors[embeddings].range]
    for (row, sequence) in batch.enumerated() {
      for token in sequence {
        for column in 0..<width {
          pooled[row, column] += table[table.startIndex + token * width + column] / Float(sequence.count)
        }
      }
    }
    return head.forward(pooled, training: training)
  }

  func backward(_ logitsGradient: Matrix) {
    let trainsEmbeddings = store.isTrainable(group: "embeddings")
    guard let pooledGradient = head.backward(logitsGradient, needsInputGradient: trainsEmbeddings) else {
      return
    }
    let offset = store.tensors[embeddings].offset
    for (row, sequence) in batch.enumerated() {
      for token in sequence {
        for column in 0..<width {
          store.gradients[offset + token * width + column] +=
            pooledGradient[row, column] / Float(sequence.count)
        }
      }
    }
  }

  func reinitialize(group: String, seed: UInt64) {
    precondition(group == "head")
    var rng = SplitMix64(seed: seed)
    head.reinitialize(rng: &rng)
  }
}

/// Label 1 when token 1 occurs in the sequence, else 0: learnable only through the embeddings.
private func tokenTask(samples: Int, seed: UInt64) -> TokenSequences {
  var rng = SplitMix64(seed: seed)
  var sequences: [[Int]] = []
  var labels: [Int] = []
  for index in 0..<samples {
    let length = 2 + Int(rng.next() % 5)
    var sequence = (0..<length).map { _ in 2 + Int(rng.next() % 6) }
    if index % 2 == 0 { sequence[Int(rng.next() % UInt64(length))] = 1 }
    sequences.append(sequence)
    labels.append(index % 2 == 0 ? 1 : 0)
  }
  return TokenSequences(sequences: sequences, labels: labels, classes: 2)
}

private func tokenRun(_ overrides: [String], model: MeanEmbeddingModel? = nil) throws -> PreparedRun {
  let hp = try settings(["early_stopping_patience=0", "batch_size=8"] + overrides)
  let model = model ?? MeanEmbeddingModel(vocabulary: 8, width: 6, classes: 2, seed: 3)
  let train = tokenTask(samples: 64, seed: 1)
  let validation = tokenTask(samples: 32, seed: 2)
  for split in [train, validation] { try model.checkInputs(split) }
  try hp.validate(groups: model.groupNames)
  return PreparedRun(
    hyperParameters: hp, train: train, validation: validation, test: validation, model: model,
    baseDescription: "none")
}

@Test func theTestModelsGradientMatchesFiniteDifferences() throws {
  let model = MeanEmbeddingModel(vocabulary: 8, width: 3, classes: 2, seed: 5)
  let data = tokenTask(samples: 6, seed: 9)
  let indices = Array(0..<data.count)[...]
  let loss = SoftmaxCrossEntropy()
  model.store.zeroGradients()
  let result = loss.lossAndGradient(
    logits: model.forward(data, indices: indices, training: true), labels: data.labels)
  model.backward(result.gradient)
  let store = model.store
  let numeric = GradientCheck.numeric(
    count: store.count, get: { store.values[$0] }, set: { store.values[$0] = $1 },
    objective: {
      loss.evaluate(logits: model.forward(data, indices: indices, training: false), labels: data.labels).loss
    })
  GradientCheck.expectMatch(store.gradients, numeric, "mean-embedding model")
}

@Test func theTrainerFineTunesAModelItKnowsNothingAbout() throws {
  let reference = MeanEmbeddingModel(vocabulary: 8, width: 6, classes: 2, seed: 3)
  let headBefore = reference.checkpointTensors().filter { $0.name.hasPrefix("head.") }
  let trainer = Trainer(try tokenRun(["epochs=15", "learning_rate=0.05", "frozen=head"]), directory: nil)
  let summary = trainer.runOnThisThread()
  #expect(summary.status == .completed)
  let epochs = trainer.drainEvents().compactMap { event -> EpochMetrics? in
    if case .epoch(let metrics) = event { return metrics }
    return nil
  }
  let start = try #require(epochs.first)
  let end = try #require(epochs.last)
  #expect(end.epoch == 15)
  // Only the embeddings trained, and they learned the task the head alone could not.
  #expect(end.validationLoss < start.validationLoss - 0.1)
  #expect(end.validationAccuracy > start.validationAccuracy)
  #expect(end.gradientNorms["embeddings"]! > 0)
  #expect(end.gradientNorms["head"] == 0)
  #expect(trainer.finalModelWeights().filter { $0.name.hasPrefix("head.") } == headBefore)
}

@Test func theLRFinderRestoresAnyModelBitForBit() throws {
  let prepared = try tokenRun(["frozen=embeddings"])
  let store = prepared.model.store
  let before = store.values.map(\.bitPattern)
  var moved = false
  let result = LRRangeTest(steps: 30).run(
    prepared, onPoint: { _ in moved = moved || store.values.map(\.bitPattern) != before })
  #expect(moved)
  #expect(result.points.count > 10)
  #expect(store.values.map(\.bitPattern) == before)
  #expect(store.frozen.isEmpty)
  #expect(store.gradients.allSatisfy { $0 == 0 })
}

@Test func theMLPRefusesSamplesItCannotRead() throws {
  let model = MLP(inputSize: 4, hiddenSizes: [3], classes: 2, dropout: 0, seed: 1)
  let error = #expect(throws: ConfigError.self) { try model.checkInputs(tokenTask(samples: 4, seed: 1)) }
  #expect(error?.key == "task")
  #expect(error?.message.contains("numeric features") == true)
  let narrow = Dataset(features: Matrix(rows: 2, cols: 3), labels: [0, 1], classes: 2)
  let width = #expect(throws: ConfigError.self) { try model.checkInputs(narrow) }
  #expect(width?.message.contains("3 feature columns but the model takes 4") == true)
}

@Test func aCheckpointOfAnotherKindOfModelIsRefusedByName() throws {
  let scratch = ScratchDirectory()
  let other = MeanEmbeddingModel(vocabulary: 8, width: 6, classes: 2, seed: 3)
  let url = scratch.url.appendingPathComponent("other.safetensors")
  try SafeTensors.write(other.checkpointTensors(), metadata: ["format": other.checkpointFormat], to: url)
  let mlp = MLP(inputSize: 4, hiddenSizes: [3], classes: 2, dropout: 0, seed: 1)
  let error = #expect(throws: CheckpointMismatchError.self) {
    try mlp.load(SafeTensors.read(from: url), path: url.path)
  }
  #expect(
    error?.message
      == "was written for model kind mean-embedding (format tunetop-mean-embedding), but this run's model is kind mlp (format tunetop-mlp); point base_model at a checkpoint of kind mlp"
  )
  // Through the config too, before any run directory exists.
  let viaConfig = #expect(throws: CheckpointMismatchError.self) {
    try PreparedRun.prepare(try settings(["base_model=\(url.path)"]))
  }
  #expect(viaConfig?.message.contains("model kind mean-embedding") == true)
}

@Test func runCheckpointsRecordTheModelKindAndReloadIntoIt() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=1", "warmup_epochs=0", "train_samples=32", "early_stopping_patience=0"])
  let directory = try RunDirectory(root: scratch.url, name: "kind", hyperParameters: hp)
  let url = directory.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread().status == .completed)
  let last = try SafeTensors.read(from: url.appendingPathComponent("last.safetensors"))
  #expect(last.metadata["format"] == "tunetop-mlp")
  // The training state is not a model's weights, and says so.
  let state = url.appendingPathComponent("last.state.safetensors").path
  let error = #expect(throws: CheckpointMismatchError.self) {
    try PreparedRun.prepare(try settings(["base_model=\(state)"]))
  }
  #expect(error?.message.contains("training state") == true)
}
