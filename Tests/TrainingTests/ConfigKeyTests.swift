import Testing

@testable import Training

@Test func keyTableFollowsTheDesignOrderAndCoversEveryField() {
  let names = ConfigKey.all.map(\.name)
  #expect(
    names == [
      "task", "base_model", "hidden_sizes", "reset_head", "seed", "train_samples", "val_fraction",
      "learning_rate", "batch_size", "epochs", "optimizer", "momentum", "weight_decay", "dropout",
      "label_smoothing", "grad_clip", "schedule", "warmup_epochs", "min_lr_ratio", "step_size", "gamma",
      "early_stopping_patience", "min_delta", "monitor", "frozen", "unfreeze_every", "layer_lr_decay",
      "grad_accum_steps", "eval_every_steps", "max_seq_len", "pooling", "normalize", "val_task", "test_task",
      "class_weights", "method", "lora_rank", "lora_alpha", "lora_dropout", "lora_targets",
    ])
  #expect(Set(ConfigKey.all.map(\.abbreviation)).count == names.count)
  for key in ConfigKey.all {
    #expect(ConfigKey.named(key.name) == key)
    #expect(!key.help.isEmpty && !key.help.contains("\n"))
  }
  // A mirror of the struct catches a field added without a key.
  #expect(Mirror(reflecting: HyperParameters()).children.count == ConfigKey.all.count)
}

@Test func defaultsAreValidAndDisplayedPlainly() throws {
  try HyperParameters().validate()
  #expect(ConfigKey.learningRate.defaultValue == "0.001")
  #expect(ConfigKey.hiddenSizes.defaultValue == "128, 64")
  #expect(ConfigKey.frozen.defaultValue == "")
  #expect(ConfigKey.optimizer.defaultValue == "adamw")
  #expect(ConfigKey.resetHead.defaultValue == "false")
  #expect(ConfigKey.gradClip.defaultValue == "1")
  #expect(ConfigKey.learningRate.constraint == "> 0 and ≤ 10")
  #expect(ConfigKey.batchSize.constraint == "an integer in 1…4096")
  #expect(ConfigKey.dropout.constraint == "≥ 0 and < 1")
  #expect(ConfigKey.minDelta.constraint == "≥ 0")
}

@Test func setParsesAndRefusesWithTheReason() throws {
  var parameters = HyperParameters()
  try parameters.set(.learningRate, from: "3e-3")
  #expect(parameters.learningRate == 0.003)
  try parameters.set(.schedule, from: "one-cycle")
  #expect(parameters.schedule == .oneCycle)
  try parameters.set(.hiddenSizes, from: "[256, 128, 32]")
  #expect(parameters.hiddenSizes == [256, 128, 32])
  try parameters.set(.frozen, from: "hidden1, head")
  #expect(parameters.frozen == ["hidden1", "head"])
  try parameters.set(.resetHead, from: "yes")
  #expect(parameters.resetHead)
  try parameters.set(.trainSamples, from: "1_000")
  #expect(parameters.trainSamples == 1000)

  let before = parameters
  #expect(throws: ConfigError(key: "learning_rate", message: "learning_rate must be > 0 and ≤ 10, got -1")) {
    try parameters.set(.learningRate, from: "-1")
  }
  #expect(
    throws: ConfigError(key: "batch_size", message: "batch_size must be an integer in 1…4096, got 0.5")
  ) {
    try parameters.set(.batchSize, from: "0.5")
  }
  #expect(
    throws: ConfigError(
      key: "optimizer", message: "optimizer must be one of sgd, nesterov, adam, adamw, got adan")
  ) {
    try parameters.set(.optimizer, from: "adan")
  }
  #expect(throws: ConfigError(key: "batch_size", message: "batch_size must be an integer, got \"big\"")) {
    try parameters.set(.batchSize, from: "big")
  }
  #expect(throws: ConfigError(key: "dropout", message: "dropout must be ≥ 0 and < 1, got 1")) {
    try parameters.set(.dropout, from: "1")
  }
  #expect(throws: ConfigError(key: "learning_rate", message: "learning_rate must be a number, got \"inf\"")) {
    try parameters.set(.learningRate, from: "inf")
  }
  #expect(throws: ConfigError(key: "reset_head", message: "reset_head must be true or false, got \"maybe\""))
  {
    try parameters.set(.resetHead, from: "maybe")
  }
  #expect(throws: ConfigError(key: "task", message: "task must not be empty")) {
    try parameters.set(.task, from: "  ")
  }
  #expect(
    throws: ConfigError(
      key: "hidden_sizes",
      message: "hidden_sizes must be a list of 1 to 8 integers, each in 1…4096, got 128, 0")
  ) {
    try parameters.set(.hiddenSizes, from: "128, 0")
  }
  #expect(throws: ConfigError.self) { try parameters.set(.hiddenSizes, from: "") }
  #expect(throws: ConfigError.self) { try parameters.set(.hiddenSizes, from: "1,2,3,4,5,6,7,8,9") }
  #expect(
    throws: ConfigError(
      key: "frozen",
      message: "frozen must be a list of layer group names like hidden1 or head, got \"hid den\"")
  ) {
    try parameters.set(.frozen, from: "hid den")
  }
  #expect(throws: ConfigError(key: "frozen", message: "frozen lists head more than once")) {
    try parameters.set(.frozen, from: "head,head")
  }
  #expect(parameters == before)
}

@Test func everyStoredValueSurvivesItsDisplayString() throws {
  var parameters = HyperParameters()
  parameters.learningRate = 1.5e-5
  parameters.frozen = ["hidden1"]
  for key in ConfigKey.all {
    var copy = HyperParameters()
    try copy.set(key, from: parameters.value(of: key))
    #expect(copy.value(of: key) == parameters.value(of: key), "\(key)")
  }
  #expect(parameters.value(of: .learningRate) == "1.5e-5")
}

@Test func ratesStepOnATenPerDecadeGridWithThreeDigits() {
  var parameters = HyperParameters()
  var seen: [String] = []
  for _ in 0..<10 {
    parameters = parameters.stepped(.learningRate, by: 1)
    seen.append(parameters.value(of: .learningRate))
  }
  #expect(
    seen == [
      "0.00126", "0.00158", "0.002", "0.00251", "0.00316", "0.00398", "0.00501", "0.00631", "0.00794", "0.01",
    ])
  #expect(parameters.stepped(.learningRate, by: -10).learningRate == 0.001)
  // Off the grid, a step goes to the neighbouring grid point.
  parameters.learningRate = 0.003
  #expect(parameters.stepped(.learningRate, by: 1).learningRate == 0.00316)
  #expect(parameters.stepped(.learningRate, by: -1).learningRate == 0.00251)
  // At the top the value stops at the closed end instead of becoming invalid.
  parameters.learningRate = 9
  #expect(parameters.stepped(.learningRate, by: 1).learningRate == 10)
  #expect(parameters.stepped(.learningRate, by: 5).learningRate == 10)
  // A rate whose range includes 0 reaches it below its floor and leaves it upwards.
  parameters.weightDecay = 1e-5
  #expect(parameters.stepped(.weightDecay, by: -1).weightDecay == 0)
  parameters.weightDecay = 0
  #expect(parameters.stepped(.weightDecay, by: 1).weightDecay == 1e-5)
  parameters.gradClip = 0.1
  #expect(parameters.stepped(.gradClip, by: -1).gradClip == 0)
}

@Test func realsCountsChoicesAndFlagsStep() {
  let parameters = HyperParameters()
  #expect(parameters.stepped(.dropout, by: 1).dropout == 0.15)
  #expect(parameters.stepped(.dropout, by: 5).value(of: .dropout) == "0.35")
  #expect(parameters.stepped(.dropout, by: -2).dropout == 0)
  #expect(parameters.stepped(.dropout, by: 100).dropout == 0.95)
  #expect(parameters.stepped(.momentum, by: 9).momentum == 0.99)
  #expect(parameters.stepped(.batchSize, by: 1).batchSize == 17)
  #expect(parameters.stepped(.epochs, by: -1).epochs == 39)
  #expect(parameters.stepped(.unfreezeEvery, by: -1).unfreezeEvery == 0)
  #expect(parameters.stepped(.optimizer, by: 1).optimizer == .sgd)
  #expect(parameters.stepped(.optimizer, by: -1).optimizer == .adam)
  #expect(parameters.stepped(.schedule, by: 2).schedule == .oneCycle)
  #expect(parameters.stepped(.resetHead, by: 1).resetHead)
  #expect(parameters.stepped(.hiddenSizes, by: 1) == parameters)
  #expect(parameters.stepped(.task, by: -1) == parameters)
  var extreme = parameters
  extreme.seed = Int.max
  #expect(extreme.stepped(.seed, by: 1).seed == Int.max)
}

@Test func resetRestoresTheDefaultAndNonDefaultKeysAreListed() throws {
  var parameters = HyperParameters()
  try parameters.set(.learningRate, from: "0.01")
  try parameters.set(.frozen, from: "hidden1")
  #expect(parameters.nonDefaultKeys() == [.learningRate, .frozen])
  #expect(parameters.nonDefaultSummary() == "learning_rate=0.01, frozen=hidden1")
  #expect(!parameters.isDefault(.learningRate))
  parameters.reset(.learningRate)
  #expect(parameters.learningRate == 0.001)
  parameters.reset(.frozen)
  #expect(parameters == HyperParameters())
  #expect(parameters.nonDefaultSummary() == "")
}
