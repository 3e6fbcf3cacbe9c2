import Foundation
import Testing

@testable import Training

private func metricsRows(_ run: URL) throws -> [[String]] {
  try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    .split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

private func bitPatterns(_ url: URL) throws -> [String: [UInt32]] {
  let file = try SafeTensors.read(from: url)
  return Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
}

@Test func textRunTrainsABertClassifierAndKeepsTheClassNames() throws {
  let task = try TinyTextTask()
  let hp = try task.settings()
  let prepared = try PreparedRun.prepare(hp)
  #expect(prepared.model.kind == "bert")
  #expect(prepared.model.groupNames == ["embeddings", "block0", "block1", "head"])
  #expect(prepared.classNames?.names == TinyTextTask.classes)
  #expect(prepared.train is TextSamples)
  // Stratified: every class in every split, in proportion (40 each: 10 test, 9 validation).
  #expect(prepared.tableReport?.testCounts == [10, 10, 10])
  #expect(prepared.tableReport?.validationCounts == [9, 9, 9])
  let directory = try RunDirectory(
    root: task.scratch.url, name: "text", hyperParameters: prepared.hyperParameters)
  let url = directory.url
  let summary = Trainer(prepared, directory: directory).runOnThisThread()
  #expect(summary.status == .completed)

  let rows = try metricsRows(url)
  #expect(rows.count == 7)
  let firstLoss = try #require(Double(rows[0][4]))
  let lastLoss = try #require(Double(rows[6][4]))
  #expect(lastLoss < firstLoss * 0.8)
  #expect(summary.bestValidationAccuracy > 0.6)

  let classes = try String(contentsOf: url.appendingPathComponent("classes.csv"), encoding: .utf8)
  #expect(classes.contains("pred_animal,pred_plant,pred_tool"))
  #expect(try RunDirectory(existing: url).readSummary().data?.classes == TinyTextTask.classes)
  let best = try SafeTensors.read(from: url.appendingPathComponent("best.safetensors"))
  #expect(best.metadata["format"] == "tunetop-bert")
  #expect(best.metadata["classes"] == "animal,plant,tool")
  #expect(best.tensors.contains { $0.name == "encoder.layer.1.output.dense.weight" })
  #expect(best.tensors.contains { $0.name == "classifier.weight" && $0.shape == [3, 32] })
}

@Test func trainedModelRebuildsATextRunWithItsTokenizerAndClasses() throws {
  let task = try TinyTextTask()
  let prepared = try PreparedRun.prepare(try task.settings(["epochs=2", "pooling=cls"]))
  let directory = try RunDirectory(
    root: task.scratch.url, name: "text", hyperParameters: prepared.hyperParameters)
  let url = directory.url
  let summary = Trainer(prepared, directory: directory).runOnThisThread()

  let trained = try TrainedModel.load(run: url, checkpoint: url.appendingPathComponent("best.safetensors"))
  #expect(trained.model.kind == "bert")
  #expect(trained.classes.names == TinyTextTask.classes)
  let text = try #require(trained.text)
  #expect(text.pooling == .cls)
  #expect(text.maxSeqLen == 16)
  #expect(text.tokenizerFolder.path == task.folder.path)
  // The rebuilt model scores the validation split exactly as the run's best epoch did.
  let rescored = trained.model.evaluate(prepared.validation, batchSize: 7)
  #expect(abs(rescored.accuracy - summary.bestValidationAccuracy) < 1e-12)
  // Raw texts go through the same tokenizer and truncation.
  let samples = text.samples(["W5 w51 W7, end", String(repeating: "w9 ", count: 40)])
  #expect(samples.texts.sequence(0).first == text.tokenizer.classifierID)
  #expect(samples.texts.length(1) == 16)
  let logits = trained.model.forward(samples, indices: [0, 1], training: false)
  #expect(logits.rows == 2 && logits.cols == 3)

  // An MLP run's model comes back as an MLP with its classes.
  let mlpRun = try RunDirectory(
    root: task.scratch.url, name: "mlp", hyperParameters: try settings(["epochs=2", "train_samples=32"]))
  let mlpURL = mlpRun.url
  _ = Trainer(try PreparedRun.prepare(try settings(["epochs=2", "train_samples=32"])), directory: mlpRun)
    .runOnThisThread()
  let mlp = try TrainedModel.load(run: mlpURL, checkpoint: mlpURL.appendingPathComponent("last.safetensors"))
  #expect(mlp.model.kind == "mlp" && mlp.text == nil && mlp.classes.count == 10)
}

@Test(arguments: ["mean", "cls"])
func resumedTextRunIsBitIdenticalToAnUninterruptedOne(pooling: String) throws {
  let task = try TinyTextTask()
  // Dropout everywhere, gradual unfreezing and layer-wise decay all carry state across the stop.
  let hp = try task.settings([
    "epochs=4", "dropout=0.2", "unfreeze_every=1", "frozen=embeddings,block0,block1", "layer_lr_decay=0.8",
    "pooling=\(pooling)", "grad_accum_steps=2", "batch_size=4",
  ])
  let whole = try RunDirectory(root: task.scratch.url, name: "whole", hyperParameters: hp)
  let wholeURL = whole.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: whole).runOnThisThread().status == .completed)

  let stoppedDirectory = try RunDirectory(root: task.scratch.url, name: "stopped", hyperParameters: hp)
  let stoppedURL = stoppedDirectory.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: stoppedDirectory)
  trainer.start()
  var stopped = false
  while trainer.summary == nil {
    for event in trainer.drainEvents() {
      if case .step(let step) = event, !stopped, step.epoch > 2 {
        trainer.send(.stop)
        stopped = true
      }
    }
    Thread.sleep(forTimeInterval: 0.001)
  }
  #expect(trainer.summary?.status == .stopped)
  let resumable = try ResumableRun.open(stoppedURL)
  #expect(resumable.prepared.model.dropoutRNGStates.count == 1 + 3 * 2 + 1)
  #expect(Trainer(resuming: resumable).runOnThisThread().status == .completed)

  let last = "last.safetensors"
  #expect(
    try bitPatterns(stoppedURL.appendingPathComponent(last))
      == bitPatterns(wholeURL.appendingPathComponent(last)))
  let withoutTime = { (url: URL) in try metricsRows(url).map { $0.dropLast() } }
  #expect(try withoutTime(stoppedURL) == withoutTime(wholeURL))
}

@Test func forkOfATextRunStartsFromItsBestEncoderAndHead() throws {
  let task = try TinyTextTask()
  let hp = try task.settings(["epochs=2"])
  let parent = try RunDirectory(root: task.scratch.url, name: "parent", hyperParameters: hp)
  let parentURL = parent.url
  _ = Trainer(try PreparedRun.prepare(hp), directory: parent).runOnThisThread()

  let plan = try RunFork.plan(run: parentURL)
  #expect(plan.settings.baseModel.hasSuffix(".safetensors"))
  let settings = try plan.settings.applying(overrides: ["learning_rate=1e-4", "epochs=1"])
  let fork = try PreparedRun.prepare(settings)
  #expect(fork.model.kind == "bert")
  #expect(fork.classNames?.names == TinyTextTask.classes)
  let best = try SafeTensors.read(from: URL(fileURLWithPath: settings.baseModel))
  let started = Dictionary(uniqueKeysWithValues: fork.model.checkpointTensors().map { ($0.name, $0.values) })
  #expect(started == Dictionary(uniqueKeysWithValues: best.tensors.map { ($0.name, $0.values) }))
  // Its starting accuracy is the parent's best.
  let summary = try RunDirectory(existing: parentURL).readSummary()
  #expect(
    abs(fork.model.evaluate(fork.validation, batchSize: 64).accuracy - summary.bestValidationAccuracy) < 1e-12
  )
  let child = try RunDirectory(
    root: task.scratch.url, name: "child", hyperParameters: fork.hyperParameters, parent: plan.parent)
  #expect(Trainer(fork, directory: child).runOnThisThread().status == .completed)
  // A fork with a new head of the same pooling, and one with another pooling that keeps the head.
  #expect(try PreparedRun.prepare(try settings.applying(overrides: ["reset_head=true"])).model.kind == "bert")
  #expect(throws: ConfigError.self) {
    try PreparedRun.prepare(try settings.applying(overrides: ["pooling=cls"]))
  }
}

@Test func lrFinderAndSearchRunOnATextTask() throws {
  let task = try TinyTextTask()
  let prepared = try PreparedRun.prepare(try task.settings(["frozen=embeddings"]))
  let before = prepared.model.store.values
  let states = prepared.model.dropoutRNGStates
  let result = LRRangeTest(steps: 12).run(prepared)
  #expect(result.points.count > 3)
  #expect(result.points.allSatisfy { $0.loss.isFinite })
  #expect(prepared.model.store.values == before)
  #expect(prepared.model.dropoutRNGStates == states)

  var search = SearchSettings(
    base: try task.settings(["epochs=2"]),
    space: .standard(groups: prepared.model.groupNames, trainingSamples: prepared.train.count), trials: 2,
    runsRoot: task.scratch.url)
  search.parallel = 1
  search.sampler = .random
  let report = try HyperparameterSearch(search).run()
  #expect(report.trials.count == 2)
  #expect(report.trials.allSatisfy { $0.summary?.status.isFinal == true })
}

@Test func accumulatedTextBatchesOfDifferentPaddingGiveTheGradientOfOneBatch() throws {
  let task = try TinyTextTask()
  let prepared = try PreparedRun.prepare(try task.settings(["dropout=0"]))
  let model = prepared.model
  let data = prepared.train
  let loss = SoftmaxCrossEntropy()
  // Sorted by length so the splits pad to different lengths.
  let texts = try #require(data as? TextSamples)
  let order = (0..<12).sorted { texts.texts.length($0) < texts.texts.length($1) }
  #expect(texts.texts.length(order[0]) < texts.texts.length(order[11]))
  func gradients(_ splits: [Range<Int>]) -> [Float] {
    model.store.zeroGradients()
    var labels: [Int] = []
    for split in splits {
      let indices = order[split]
      data.gatherLabels(indices, into: &labels)
      let logits = model.forward(data, indices: indices, training: true)
      model.backward(
        loss.lossAndGradient(logits: logits, labels: labels, gradientScale: Double(split.count) / 12).gradient
      )
    }
    return model.store.gradients
  }
  let whole = gradients([0..<12])
  let accumulated = gradients([0..<5, 5..<12])
  #expect(GradientCheck.relativeError(accumulated, whole.map(Double.init)) < 1e-4)
  #expect(texts.tokenCount(order[0..<2]) == texts.texts.length(order[0]) + texts.texts.length(order[1]))
}

@Test func tokenBatchRefillPadsToTheLongestAndReusesItsBuffers() {
  let texts = TokenizedTexts(
    ids: [2, 5, 3, 2, 6, 7, 8, 3, 2, 9, 3], offsets: [0, 3, 8, 11], labels: [0, 1, 0],
    classes: ClassLabels.numbered(2), maxLength: 8)
  var batch = TokenBatch(tokens: [0], lengths: [1], length: 1)
  batch.fill(with: texts, indices: [2, 1], padding: 0)
  #expect(batch == TokenBatch(sequences: [[2, 9, 3], [2, 6, 7, 8, 3]]))
  batch.fill(with: texts, indices: [0, 2], padding: 0)
  #expect(batch == TokenBatch(sequences: [[2, 5, 3], [2, 9, 3]]))
  let address = batch.tokens.withUnsafeBufferPointer { $0.baseAddress }
  batch.fill(with: texts, indices: [2, 0], padding: 0)
  #expect(batch.tokens.withUnsafeBufferPointer { $0.baseAddress } == address)
}

@Test func mismatchedModelsAndTasksAreRefusedNamingTheKey() throws {
  let task = try TinyTextTask()
  func message(_ overrides: [String]) -> String? {
    do {
      _ = try PreparedRun.prepare(try task.settings(overrides))
      return nil
    } catch {
      return "\(error)"
    }
  }
  // A text task on the MLP, and the encoder on the digits.
  #expect(message(["base_model=builtin"])?.contains("base_model") == true)
  #expect(message(["base_model=builtin"])?.contains("text task") == true)
  #expect(message(["task=thick-digits", "train_samples=100"])?.contains("is not a text task") == true)
  // max_seq_len past the model's 32 positions.
  #expect(message(["max_seq_len=33"])?.contains("max_seq_len is 33") == true)
  #expect(message(["max_seq_len=33"])?.contains("32 positions") == true)
  // val_task is for tables.
  #expect(message(["val_task=\(task.csv.path)"])?.contains("val_task") == true)
  // A folder without vocab.txt, then one whose config is not BERT.
  try FileManager.default.moveItem(
    at: task.folder.appendingPathComponent("vocab.txt"),
    to: task.scratch.url.appendingPathComponent("vocab.txt"))
  #expect(message([])?.contains("has no vocab.txt") == true)
  try FileManager.default.moveItem(
    at: task.scratch.url.appendingPathComponent("vocab.txt"),
    to: task.folder.appendingPathComponent("vocab.txt"))
  let config = task.folder.appendingPathComponent("config.json")
  let text = try String(contentsOf: config, encoding: .utf8)
  try text.replacingOccurrences(of: "\"model_type\": \"bert\"", with: "\"model_type\": \"gpt2\"")
    .write(to: config, atomically: true, encoding: .utf8)
  #expect(message([])?.contains("\"model_type\" is \"gpt2\"") == true)
}

@Test func encoderChecksItsInputsBeforeTraining() throws {
  let config = BertConfig(
    vocabularySize: 10, hiddenSize: 8, layers: 1, heads: 2, intermediateSize: 16, maxPositions: 4)
  let model = BertClassifier(config: config, classes: 2, pooling: .mean, seed: 1)
  func samples(_ sequences: [[Int32]]) -> TextSamples {
    var offsets = [0]
    for sequence in sequences { offsets.append(offsets.last! + sequence.count) }
    return TextSamples(
      texts: TokenizedTexts(
        ids: sequences.flatMap { $0 }, offsets: offsets, labels: sequences.map { _ in 0 },
        classes: ClassLabels.numbered(2), maxLength: 8),
      classes: 2, paddingID: 0)
  }
  try model.checkInputs(samples([[2, 5, 3], [2, 9, 3]]))
  #expect(throws: ConfigError.self) { try model.checkInputs(samples([[2, 10, 3]])) }
  #expect(
    "\(try #require(catching { try model.checkInputs(samples([[2, 10, 3]])) }))".contains("vocab_size is 10"))
  #expect(
    "\(try #require(catching { try model.checkInputs(samples([[2, 5, 6, 7, 3]])) }))".contains("max_seq_len"))
  #expect(throws: ConfigError.self) {
    try model.checkInputs(Dataset(features: Matrix(rows: 1, cols: 2), labels: [0], classes: 2))
  }
  let mlp = MLP(inputSize: 2, hiddenSizes: [3], classes: 2, dropout: 0, seed: 1)
  #expect(throws: ConfigError.self) { try mlp.checkInputs(samples([[2, 5, 3]])) }
}

private func catching(_ body: () throws -> Void) -> Error? {
  do {
    try body()
    return nil
  } catch {
    return error
  }
}
