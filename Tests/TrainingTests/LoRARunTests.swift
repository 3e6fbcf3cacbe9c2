import Foundation
import Testing

@testable import Training

/// `method: lora` through the whole run: training, its checkpoints, resume, fork, TrainedModel and
/// the Hugging Face export, on the tiny text task.
@Test func loraRunTrainsAdaptersAndHeadAndSavesOnlyThem() throws {
  let task = try TinyTextTask()
  let hp = try task.settings([
    "method=lora", "lora_rank=4", "lora_targets=query,value,output.dense", "epochs=3",
  ])
  let prepared = try PreparedRun.prepare(hp)
  let model = try #require(prepared.model as? BertClassifier)
  #expect(model.lora == LoRASettings(rank: 4, alpha: 16, dropout: 0.1, targets: [.query, .value, .output]))
  // The Layers panel's counts: adapters per block, nothing in the embeddings.
  let (h, i) = (32, 64)
  #expect(prepared.model.parameterCount(group: "block0") == 2 * (4 * h + h * 4) + (4 * i + h * 4))
  #expect(prepared.model.parameterCount(group: "embeddings") == 0)
  let directory = try RunDirectory(
    root: task.scratch.url, name: "lora", hyperParameters: prepared.hyperParameters)
  let url = directory.url
  let summary = Trainer(prepared, directory: directory).runOnThisThread()
  #expect(summary.status == .completed)
  #expect(summary.bestValidationAccuracy > 0.4, "chance is 1/3")

  let last = try SafeTensors.read(from: url.appendingPathComponent("last.safetensors"))
  #expect(last.names.contains("encoder.layer.1.output.dense.lora_B.weight"))
  #expect(last.names.contains("classifier.weight"))
  #expect(!last.names.contains("encoder.layer.0.attention.self.query.weight"))
  #expect(last.metadata[LoRACheckpointBase.baseKey] == task.folder.path)

  // TrainedModel rebuilds it over the base folder: same scores as the run's best epoch.
  let trained = try TrainedModel.load(run: url, checkpoint: url.appendingPathComponent("best.safetensors"))
  let rebuilt = try #require(trained.model as? BertClassifier)
  #expect(rebuilt.lora?.rank == 4)
  // Its base weights are the folder's, untouched by training.
  let pristine = try BertClassifier(
    folder: try BertModelFolder(directory: task.folder), classes: 3, pooling: .mean, seed: 1)
  for tensor in pristine.store.tensors where tensor.group != "head" {
    let index = try #require(rebuilt.store.index(of: tensor.name))
    #expect(
      rebuilt.store.values(of: index) == Array(pristine.store.values[tensor.range]), "\(tensor.name) moved")
  }
  let again = try PreparedRun.prepare(hp)
  #expect(
    abs(trained.model.evaluate(again.validation, batchSize: 7).accuracy - summary.bestValidationAccuracy)
      < 1e-12)

  // Exported with the adapters merged, it reads back as a plain classifier with the same logits.
  let out = task.scratch.url.appendingPathComponent("exported")
  try HuggingFaceExport(
    model: rebuilt, classNames: trained.classes.names, baseFolder: task.folder, maxSequenceLength: 16
  ).write(to: out, force: false)
  let folder = try BertModelFolder(directory: out)
  let plain = try BertClassifier(folder: folder, classes: 3, pooling: .mean, seed: 1)
  try plain.load(folder.weights, path: out.path)
  let samples = try #require(trained.text).samples(["W5 w51 W7, end", "W15 w52, end", "W27 W21 w55"])
  let expected = rebuilt.forward(samples, indices: [0, 1, 2], training: false)
  let exported = plain.forward(samples, indices: [0, 1, 2], training: false)
  #expect(zip(expected.storage, exported.storage).allSatisfy { abs($0 - $1) < 1e-4 })
}

@Test func resumedLoRARunIsBitIdenticalAndForksGoOnWithTheAdapters() throws {
  let task = try TinyTextTask()
  let hp = try task.settings(["method=lora", "epochs=3", "lora_dropout=0.2", "batch_size=4"])
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
      if case .step(let step) = event, !stopped, step.epoch > 1 {
        trainer.send(.stop)
        stopped = true
      }
    }
    Thread.sleep(forTimeInterval: 0.001)
  }
  let resumable = try ResumableRun.open(stoppedURL)
  #expect(Trainer(resuming: resumable).runOnThisThread().status == .completed)
  let name = "last.safetensors"
  let a = try SafeTensors.read(from: stoppedURL.appendingPathComponent(name))
  let b = try SafeTensors.read(from: wholeURL.appendingPathComponent(name))
  #expect(a.tensors.map { $0.values.map(\.bitPattern) } == b.tensors.map { $0.values.map(\.bitPattern) })

  // A fork with the same rank and targets goes on from the parent's adapters and head.
  let plan = try RunFork.plan(run: wholeURL)
  let fork = try PreparedRun.prepare(try plan.settings.applying(overrides: ["epochs=1"]))
  let best = try SafeTensors.read(from: URL(fileURLWithPath: plan.settings.baseModel))
  let started = Dictionary(uniqueKeysWithValues: fork.model.checkpointTensors().map { ($0.name, $0.values) })
  #expect(started == Dictionary(uniqueKeysWithValues: best.tensors.map { ($0.name, $0.values) }))
  // A fork with full fine-tuning starts from the parent's adapters folded into the weights.
  let full = try PreparedRun.prepare(try plan.settings.applying(overrides: ["method=full"]))
  #expect(full.model.store.fixed.allSatisfy { !$0 })
  #expect(
    abs(
      full.model.evaluate(full.validation, batchSize: 64).accuracy
        - fork.model.evaluate(fork.validation, batchSize: 64).accuracy) < 1e-12)
  // Another rank cannot go on with the adapters and has no folder to rebuild over: refused.
  #expect(throws: ConfigError.self) {
    try PreparedRun.prepare(try plan.settings.applying(overrides: ["lora_rank=2"]))
  }
}

@Test func loraOnAnMLPIsRefusedNamingTheKey() throws {
  let settings = try HyperParameters().applying(overrides: ["method=lora", "epochs=2"])
  do {
    _ = try PreparedRun.prepare(settings)
    Issue.record("method lora on an MLP should be refused")
  } catch let error as ConfigError {
    #expect(error.key == "method")
    #expect(error.message.contains("an MLP"))
  }
}
