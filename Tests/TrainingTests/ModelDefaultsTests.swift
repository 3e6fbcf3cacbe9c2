import Foundation
import Testing

@testable import Training

@Test func anEncoderStartsFromItsRecommendedSettingsUnlessTheUserSetThem() throws {
  let task = try TinyTextTask()
  let base = ["task=\(task.csv.path)", "base_model=\(task.folder.path)"]
  let recommended = try ModelDefaults.resolve(configPath: nil, overrides: base)
  #expect(recommended.learningRate == 5e-5)
  #expect(recommended.optimizer == .adamw)
  #expect(recommended.schedule == .linear)
  #expect(recommended.warmupEpochs == 1)
  #expect(recommended.layerLRDecay == 0.9)
  #expect(recommended.epochs == 3)
  #expect(recommended.trainSamples == HyperParameters.allSamples)

  // --set wins, key by key; the other keys keep the encoder's values.
  let set = try ModelDefaults.resolve(configPath: nil, overrides: base + ["learning_rate=1e-3", "epochs=1"])
  #expect(set.learningRate == 1e-3)
  #expect(set.epochs == 1)
  #expect(set.warmupEpochs == 0)  // not written by the user: made to fit one epoch
  #expect(set.layerLRDecay == 0.9)

  // A config file's keys win too, even when they hold the MLP's default value.
  let file = task.scratch.url.appendingPathComponent("my.yaml")
  try "learning_rate: 0.001\nschedule: cosine\n".write(to: file, atomically: true, encoding: .utf8)
  let fromFile = try ModelDefaults.resolve(configPath: file.path, overrides: base)
  #expect(fromFile.learningRate == 1e-3)
  #expect(fromFile.schedule == .cosine)
  #expect(fromFile.layerLRDecay == 0.9)

  // The MLP keeps the defaults it always had.
  #expect(try ModelDefaults.resolve(configPath: nil, overrides: []) == HyperParameters())
  #expect(try ModelDefaults.resolve(configPath: nil, overrides: ["epochs=5"]).learningRate == 1e-3)
  // An explicit warmup that does not fit is still an error naming the key.
  #expect(throws: ConfigError.self) {
    try ModelDefaults.resolve(configPath: nil, overrides: base + ["epochs=2", "warmup_epochs=2"])
  }
}

@Test func editingBaseModelInTheFormSwitchesOnlyUntouchedKeys() throws {
  let task = try TinyTextTask()
  var settings = HyperParameters()
  try settings.set(.learningRate, from: "2e-3")
  try settings.set(.baseModel, from: task.folder.path)
  #expect(settings.learningRate == 2e-3)  // the user's value stays
  #expect(settings.schedule == .linear)
  #expect(settings.layerLRDecay == 0.9)
  try settings.set(.layerLRDecay, from: "0.8")
  try settings.set(.baseModel, from: "builtin")
  #expect(settings.schedule == .cosine)
  #expect(settings.layerLRDecay == 0.8)
  #expect(settings.learningRate == 2e-3)
  #expect(settings.epochs == HyperParameters().epochs)
}

@Test func modelFamilyIsReadFromBaseModel() throws {
  let task = try TinyTextTask()
  #expect(ModelFamily(baseModel: "minilm") == .bert)
  #expect(ModelFamily(baseModel: task.folder.path) == .bert)
  #expect(ModelFamily(baseModel: "builtin") == .mlp)
  #expect(ModelFamily(baseModel: "none") == .mlp)
  #expect(ModelFamily(baseModel: try BuiltInModel.url().path) == .mlp)
  #expect(TextTask.isText("wordnet-nouns"))
  #expect(TextTask.isText(task.csv.path))
  #expect(!TextTask.isText("thick-digits"))
}
