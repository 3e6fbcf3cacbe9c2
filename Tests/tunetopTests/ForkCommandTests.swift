import Foundation
import Testing

@testable import Training

@Test func trainForkRecordsItsParentFromTheCommandLine() throws {
  let scratch = Scratch()
  let parent = try CLI.run(
    ["train", "--set", "epochs=3", "--set", "train_samples=30", "--name", "parent"], in: scratch.url)
  #expect(parent.status == 0, "\(parent.error)")
  let refused = try CLI.run(["train", "--fork", "parent", "--config", "x.yaml"], in: scratch.url)
  #expect(refused.status == 2)
  #expect(refused.error.contains("--fork"))
  let missing = try CLI.run(["train", "--fork", "no-such-run"], in: scratch.url)
  #expect(missing.status == 2)
  #expect(missing.error.contains("no-such-run"))

  let fork = try CLI.run(["train", "--fork", "parent", "--set", "epochs=2"], in: scratch.url)
  #expect(fork.status == 0, "\(fork.error)")
  let forkRun = try #require(scratch.runs.first { $0.lastPathComponent.contains("fork-e") })
  let parentRun = try #require(scratch.runs.first { $0.lastPathComponent.hasSuffix("-parent") })
  let summary = try JSONDecoder().decode(
    RunSummary.self, from: Data(contentsOf: forkRun.appendingPathComponent("summary.json")))
  #expect(summary.parent?.run == parentRun.lastPathComponent)
  #expect(summary.epochsRun == 2)
  let config = try String(contentsOf: forkRun.appendingPathComponent("config.yaml"), encoding: .utf8)
  #expect(config.hasPrefix("# forked from \(parentRun.lastPathComponent)"))
}
