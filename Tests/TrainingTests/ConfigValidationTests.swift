import Testing

@testable import Training

@Test func warmupMustEndBeforeTheLastEpoch() throws {
  var parameters = HyperParameters()
  parameters.epochs = 3
  parameters.warmupEpochs = 5
  let error = ConfigError(key: "warmup_epochs", message: "warmup_epochs (5) must be less than epochs (3)")
  #expect(throws: error) { try parameters.validate() }
  #expect(error.description == "warmup_epochs (5) must be less than epochs (3)")
  parameters.epochs = 0
  try parameters.validate()
}

@Test func validateCatchesValuesSetInCode() {
  var parameters = HyperParameters()
  parameters.valFraction = 0.95
  #expect(throws: ConfigError(key: "val_fraction", message: "val_fraction must be > 0 and ≤ 0.9, got 0.95")) {
    try parameters.validate()
  }
  parameters = HyperParameters()
  parameters.seed = -1
  #expect(throws: ConfigError(key: "seed", message: "seed must be an integer in 0…2147483647, got -1")) {
    try parameters.validate()
  }
  parameters = HyperParameters()
  parameters.gamma = .nan
  #expect(throws: ConfigError(key: "gamma", message: "gamma must be > 0 and ≤ 1, got nan")) {
    try parameters.validate()
  }
}

@Test func frozenGroupsAreCheckedAgainstTheModel() throws {
  var parameters = HyperParameters()
  parameters.frozen = ["hidden1", "hidden7"]
  let groups = ["hidden1", "hidden2", "head"]
  let error = ConfigError(
    key: "frozen", message: "frozen: no layer group named hidden7; the model has hidden1, hidden2, head")
  #expect(throws: error) { try parameters.validate(groups: groups) }
  #expect(error.description == "frozen: no layer group named hidden7; the model has hidden1, hidden2, head")
  parameters.frozen = ["head", "hidden2"]
  try parameters.validate(groups: groups)
}

@Test func errorDescriptionsPlaceTheLocationAfterTheKey() {
  let error = ConfigError(key: "batch_size", message: "batch_size must be an integer, got \"big\"")
  #expect(
    error.located("config.yaml:4").description
      == "batch_size at config.yaml:4 must be an integer, got \"big\"")
  #expect(error.located("--set").description == "batch_size in --set must be an integer, got \"big\"")
  let fileLevel = ConfigError(key: "", message: "no such config file", location: "x.yaml")
  #expect(fileLevel.description == "x.yaml: no such config file")
}
