import Foundation
import Testing

@testable import Training

// The cases of issue 5's bad-input list that other files did not cover yet; each message names the
// key (and file:line when there is a file), the bad value and what is valid.

private func yamlError(_ yaml: String) -> String? {
  do {
    _ = try HyperParameters.load(yaml: yaml, source: "config.yaml")
    return nil
  } catch {
    return error.description
  }
}

@Test func aScalarOrAMappingWhereAListBelongsNamesKeyLineAndValue() {
  #expect(
    yamlError("seed: 1\nfrozen: 5\n")
      == "frozen at config.yaml:2 must be a list of layer group names like hidden1 or head, got \"5\"")
  #expect(
    yamlError("hidden_sizes:\n  first: 64\n")
      == "hidden_sizes at config.yaml:1 must be a list of 1 to 8 integers, each in 1…4096, got a mapping")
  // A single integer is a one-layer list, which is what a person writing it means.
  #expect((try? HyperParameters.load(yaml: "hidden_sizes: 32\n"))?.hiddenSizes == [32])
}

@Test func batchLargerThanTheTrainingSetIsRefusedWithBothNumbers() throws {
  let error = #expect(throws: ConfigError.self) {
    try PreparedRun.prepare(try settings(["batch_size=500", "train_samples=100"]))
  }
  #expect(error?.key == "batch_size")
  #expect(
    error?.message
      == "batch_size (500) must be at most the number of training samples (100); lower batch_size or raise train_samples"
  )
  // Equal is fine: one full batch per epoch.
  _ = try PreparedRun.prepare(try settings(["batch_size=100", "train_samples=100"]))
}
