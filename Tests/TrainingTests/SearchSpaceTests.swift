import Foundation
import Testing

@testable import Training

@Test func searchSpaceReadsRangesChoicesAndFixedValues() throws {
  let space = try SearchSpace.load(
    yaml: """
      dropout: {low: 0, high: 0.5}
      learning_rate: {low: 1e-4, high: 0.1, log: true}
      batch_size: [8, 16, 32]
      frozen: [[], [hidden1], [hidden1, hidden2]]
      epochs: 12
      """, source: "space.yaml")
  #expect(space.dimensions.map(\.key.name) == ["learning_rate", "batch_size", "epochs", "dropout", "frozen"])
  #expect(space.dimensions[0].domain == .range(low: 1e-4, high: 0.1, log: true))
  #expect(space.dimensions[1].domain == .choices(["8", "16", "32"]))
  #expect(space.dimensions[2].domain == .fixed("12"))
  #expect(space.dimensions[4].domain == .choices(["[]", "[hidden1]", "[hidden1, hidden2]"]))
  let settings = try space.hyperParameters(
    [.number(0.01), .choice(2), .choice(0), .number(0.25), .choice(1)], base: HyperParameters())
  #expect(settings.learningRate == 0.01 && settings.batchSize == 32 && settings.epochs == 12)
  #expect(settings.dropout == 0.25 && settings.frozen == ["hidden1"])
}

@Test(
  arguments: [
    ("dropout: {low: 0.1}\n", "dropout at space.yaml:1 range needs both low and high"),
    (
      "learning_rate: {low: fast, high: 0.1}\n",
      "learning_rate at space.yaml:1 must be a number, got \"fast\""
    ),
    (
      "learning_rat: {low: 1e-4, high: 0.1}\n",
      "unknown key learning_rat at space.yaml:1; did you mean learning_rate?"
    ),
    ("\ndropout: {low: 0.4, high: 0.1}\n", "dropout at space.yaml:2 range has low > high (0.4 > 0.1)"),
    ("dropout: {low: 0, high: 1.5}\n", "dropout at space.yaml:1 must be ≥ 0 and < 1, got 1.5"),
    (
      "weight_decay: {low: 0, high: 0.1, log: true}\n", "weight_decay at space.yaml:1 log range needs low > 0"
    ),
    ("batch_size: [8, 0]\n", "batch_size at space.yaml:1 must be an integer in 1…4096, got 0"),
    ("optimizer: {low: 1, high: 2}\n", "optimizer at space.yaml:1 cannot be a range"),
    ("dropout: {low: 0, hi: 0.3}\n", "unknown range field \"hi\""),
  ])
func searchSpaceErrorsNameTheLineKeyAndValue(yaml: String, expected: String) {
  #expect {
    try SearchSpace.load(yaml: yaml, source: "space.yaml")
  } throws: { error in
    String(describing: error).contains(expected)
  }
}

@Test func searchSpaceCheckRejectsAGroupTheModelLacks() throws {
  let space = try SearchSpace.load(yaml: "frozen: [[], [hidden7]]\n", source: "space.yaml")
  #expect {
    try space.check(base: HyperParameters(), groups: ["hidden1", "hidden2", "head"])
  } throws: { error in
    String(describing: error).contains("frozen at space.yaml:1: the value [hidden7] of the search space")
  }
  try SearchSpace.standard(groups: ["hidden1", "hidden2", "head"])
    .check(base: HyperParameters(), groups: ["hidden1", "hidden2", "head"])
}

@Test func batchSizesLargerThanTheTrainingSetAreLeftOutOfTheStandardSpaceAndRefusedInAGivenOne() throws {
  let groups = ["hidden1", "hidden2", "head"]
  let standard = SearchSpace.standard(groups: groups, trainingSamples: 20)
  let batch = try #require(standard.dimensions.first { $0.key == .batchSize })
  #expect(batch.domain == .choices(["8", "16"]))
  #expect(
    SearchSpace.standard(groups: groups, trainingSamples: 5).dimensions.contains {
      $0.key == .batchSize && $0.domain == .choices(["5"])
    })

  let space = try SearchSpace.load(yaml: "batch_size: [8, 64]\n", source: "space.yaml")
  #expect {
    try space.check(base: HyperParameters(), groups: groups, trainingSamples: 30)
  } throws: { error in
    String(describing: error).contains(
      "batch_size at space.yaml:1: the value 64 of the search space does not work with the config; batch_size (64) must be at most the number of training samples (30)"
    )
  }
}
