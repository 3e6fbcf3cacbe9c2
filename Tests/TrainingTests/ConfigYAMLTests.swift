import Foundation
import Testing

@testable import Training

/// Loads `yaml` as `config.yaml` and returns the error's description, or nil when it loads.
private func loadError(_ yaml: String) -> String? {
  do {
    _ = try HyperParameters.load(yaml: yaml, source: "config.yaml")
    return nil
  } catch {
    return error.description
  }
}

@Test func everyKeyRoundTripsThroughYAML() throws {
  #expect(try HyperParameters.load(yaml: HyperParameters().yaml()) == HyperParameters())
  var parameters = HyperParameters()
  parameters.task = "data/my digits: v2.csv"
  parameters.baseModel = "none"
  parameters.hiddenSizes = [256, 32, 16]
  parameters.resetHead = true
  parameters.seed = 7
  parameters.trainSamples = 10
  parameters.valFraction = 0.5
  parameters.learningRate = 3.16e-4
  parameters.batchSize = 4
  parameters.epochs = 200
  parameters.optimizer = .nesterov
  parameters.momentum = 0.95
  parameters.weightDecay = 0
  parameters.dropout = 0
  parameters.labelSmoothing = 0.1
  parameters.gradClip = 0
  parameters.schedule = .oneCycle
  parameters.warmupEpochs = 0
  parameters.minLRRatio = 0.001
  parameters.stepSize = 3
  parameters.gamma = 0.1
  parameters.earlyStoppingPatience = 0
  parameters.minDelta = 1e-4
  parameters.monitor = .validationMacroF1
  parameters.frozen = ["hidden1", "hidden2"]
  parameters.unfreezeEvery = 5
  parameters.layerLRDecay = 0.8
  parameters.gradAccumSteps = 4
  parameters.evalEverySteps = 200
  parameters.maxSeqLen = 64
  parameters.pooling = "cls"
  parameters.normalize = "minmax"
  parameters.valTask = "data/val.csv"
  parameters.testTask = "data/test set.csv"
  parameters.classWeights = "balanced"
  parameters.method = "lora"
  parameters.loraRank = 16
  parameters.loraAlpha = 32
  parameters.loraDropout = 0.05
  parameters.loraTargets = ["query", "key", "value", "attention.output.dense"]
  #expect(parameters.nonDefaultKeys().count == ConfigKey.all.count, "the test must change every key")
  let yaml = parameters.yaml()
  #expect(try HyperParameters.load(yaml: yaml) == parameters)
  let keyLines = yaml.split(separator: "\n").filter { !$0.hasPrefix("#") }
  #expect(keyLines.map { String($0.prefix { $0 != ":" }) } == ConfigKey.all.map(\.name))
  #expect(yaml.contains("frozen: [hidden1, hidden2]"))
  #expect(yaml.contains("task: \"data/my digits: v2.csv\""))
}

/// Text that YAML reads as a line break (which folds the spaces around it), rejects, or reads as
/// another type must still load back as it was saved. Edge whitespace is trimmed on load, so none here.
@Test(arguments: [
  "a\u{85} b", "a\u{2028} b", "a \u{2029} b", "a\u{2028}\nb", "a\u{FEFF}b", "a\u{FFFE}", "a\u{0}b",
  "a\u{7F}", "a\u{A0}b", "tab\tend", "quote\"back\\slash", "null", "~", "yes", "1e3", "😀",
])
func awkwardTextRoundTripsThroughYAML(text: String) throws {
  var parameters = HyperParameters()
  parameters.task = text
  #expect(try HyperParameters.load(yaml: parameters.yaml()).task == text)
}

@Test func emptyAndPartialFilesUseTheDefaults() throws {
  #expect(try HyperParameters.load(yaml: "") == HyperParameters())
  #expect(try HyperParameters.load(yaml: "# nothing here\n") == HyperParameters())
  let parameters = try HyperParameters.load(
    yaml: """
      learning_rate: 3e-3
      frozen: hidden1, hidden2
      hidden_sizes:
        - 64
        - 32
      optimizer: sgd
      reset_head: true
      """)
  var expected = HyperParameters()
  expected.learningRate = 0.003
  expected.frozen = ["hidden1", "hidden2"]
  expected.hiddenSizes = [64, 32]
  expected.optimizer = .sgd
  expected.resetHead = true
  #expect(parameters == expected)
  #expect(try HyperParameters.load(yaml: "frozen:\n").frozen == [])
  #expect(try HyperParameters.load(yaml: "frozen: []\n").frozen == [])
}

@Test func yamlErrorsNameTheFileAndLine() {
  #expect(
    loadError("seed: 1\nepochs: 10\nlearnig_rate: 0.1\n")
      == "unknown key learnig_rate at config.yaml:3; did you mean learning_rate?")
  #expect(
    loadError("seed: 1\nepochs: 10\nlr: 0.1\nbatch_size: big\n")
      == "unknown key lr at config.yaml:3; did you mean learning_rate?")
  #expect(
    loadError("seed: 1\nepochs: 10\nlearning_rate: 0.1\nbatch_size: big\n")
      == "batch_size at config.yaml:4 must be an integer, got \"big\"")
  #expect(
    loadError("learning_rate: -1\n") == "learning_rate at config.yaml:1 must be > 0 and ≤ 10, got -1")
  #expect(
    loadError("learning_rate: [1, 2]\n") == "learning_rate at config.yaml:1 must be a number, got a list")
  #expect(
    loadError("optimizer:\n  kind: sgd\n")
      == "optimizer at config.yaml:1 must be one of sgd, nesterov, adam, adamw, got a mapping")
  #expect(
    loadError("hidden_sizes: [128, big]\n")
      == "hidden_sizes at config.yaml:1 must be a list of 1 to 8 integers, each in 1…4096, got [128, big]")
  #expect(
    loadError("hidden_sizes: [[1, 2]]\n")
      == "hidden_sizes at config.yaml:1 must be a list of 1 to 8 integers, each in 1…4096, got a list inside it"
  )
  #expect(
    loadError("epochs: 5\nlearning_rate:\n")
      == "learning_rate at config.yaml:2 has no value; delete the line to use the default (0.001)")
  #expect(
    loadError("- seed\n- epochs\n")
      == "config.yaml:1: the top level must be a mapping of key: value lines, got a list")
  #expect(
    loadError("hello\n")
      == "config.yaml:1: the top level must be a mapping of key: value lines, got \"hello\"")
  #expect(
    loadError("epochs: 3\nwarmup_epochs: 5\n")
      == "warmup_epochs (5) at config.yaml:2 must be less than epochs (3)")
  // The default warmup (1 epoch) shrinks to fit a one-epoch run; a warmup the user wrote does not.
  #expect(loadError("epochs: 1\n") == nil)
  #expect((try? HyperParameters.load(yaml: "epochs: 1\n"))?.warmupEpochs == 0)
  #expect(
    loadError("epochs: 1\nwarmup_epochs: 1\n")
      == "warmup_epochs (1) at config.yaml:2 must be less than epochs (1)")
  #expect(loadError("seed: 1\nseed: 2\n") == "seed at config.yaml:1 is given more than once")
  #expect(
    loadError("foo: 1\n")?.hasPrefix("unknown key foo at config.yaml:1; the keys are task, base_model,")
      == true)
}

@Test func yamlSyntaxErrorsNameTheFileAndLine() throws {
  let message = try #require(loadError("seed: 1\nepochs: 10\nlearning_rate: [0.1\nbatch_size: 4\n"))
  #expect(message.hasPrefix("config.yaml:"), "\(message)")
  #expect(message.contains("invalid YAML"), "\(message)")
  let unclosed = try #require(loadError("seed: 1\ntask: \"abc\n"))
  #expect(unclosed.hasPrefix("config.yaml:"), "\(unclosed)")
  #expect(
    loadError("seed: 1\n  epochs: 3\n")
      == "config.yaml:2: invalid YAML: mapping values are not allowed in this context")
  #expect(
    loadError("seed: 1\n---\nepochs: 3\n")
      == "config.yaml:2: invalid YAML: expected a single document in the stream, but found another document")
}

@Test func loadReadsAFileAndNamesItInErrors() throws {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-config-\(UUID())")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let path = directory.appendingPathComponent("config.yaml").path
  var parameters = HyperParameters()
  parameters.dropout = 0
  try parameters.yaml().write(toFile: path, atomically: true, encoding: .utf8)
  #expect(try HyperParameters.load(path: path) == parameters)
  try "dropout: 1.5\n".write(toFile: path, atomically: true, encoding: .utf8)
  #expect(
    throws: ConfigError(
      key: "dropout", message: "dropout must be ≥ 0 and < 1, got 1.5", location: "\(path):1")
  ) {
    try HyperParameters.load(path: path)
  }
  let missing = directory.appendingPathComponent("missing.yaml").path
  #expect(throws: ConfigError(key: "", message: "no such config file", location: missing)) {
    try HyperParameters.load(path: missing)
  }
}

@Test func nearestKeySuggestion() {
  #expect(ConfigKey.suggestion(for: "learnig_rate") == .learningRate)
  #expect(ConfigKey.suggestion(for: "batchsize") == .batchSize)
  #expect(ConfigKey.suggestion(for: "warmup-epochs") == .warmupEpochs)
  #expect(ConfigKey.suggestion(for: "wd") == .weightDecay)
  #expect(ConfigKey.suggestion(for: "epoch") == .epochs)
  #expect(ConfigKey.suggestion(for: "colour_scheme") == nil)
  #expect(editDistance("kitten", "sitting") == 3)
  #expect(editDistance("", "abc") == 3)
}
