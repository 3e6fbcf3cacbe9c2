import Foundation
import Testing

@testable import Training

private func trainedRun(_ overrides: [String], root: URL, name: String) throws -> URL {
  let hp = try settings(overrides)
  let directory = try RunDirectory(root: root, name: name, hyperParameters: hp)
  let url = directory.url
  _ = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()
  return url
}

@Test func forkRecordsItsParentAndStartsFromTheParentsBestWeights() throws {
  let scratch = ScratchDirectory()
  let parentURL = try trainedRun(
    ["epochs=4", "train_samples=30", "learning_rate=0.003"], root: scratch.url, name: "parent")
  let parentSummary = try RunDirectory(existing: parentURL).readSummary()

  var plan = try RunFork.plan(run: parentURL)
  #expect(plan.parent.run == parentURL.lastPathComponent)
  #expect(plan.parent.epoch == parentSummary.bestEpoch)
  #expect(plan.settings.learningRate == 0.003)
  #expect(
    plan.settings.baseModel.hasSuffix(String(format: "checkpoints/epoch-%04d.safetensors", plan.parent.epoch))
  )
  plan.settings.epochs = 2
  plan.settings.dropout = 0

  let name = RunFork.defaultName(settings: plan.settings, parent: plan.parent)
  #expect(name.hasPrefix("fork-e\(plan.parent.epoch)_"))
  let directory = try RunDirectory(
    root: scratch.url, name: name, hyperParameters: plan.settings, parent: plan.parent)
  let forkURL = directory.url
  _ = Trainer(try PreparedRun.prepare(plan.settings), directory: directory).runOnThisThread()

  let summary = try RunDirectory(existing: forkURL).readSummary()
  #expect(summary.status == .completed)
  #expect(summary.parent == plan.parent)
  let json = try String(contentsOf: forkURL.appendingPathComponent("summary.json"), encoding: .utf8)
  #expect(json.contains("\"run\" : \"\(parentURL.lastPathComponent)\""))
  let config = try String(contentsOf: forkURL.appendingPathComponent("config.yaml"), encoding: .utf8)
  #expect(config.hasPrefix("# forked from \(parentURL.lastPathComponent) at epoch \(plan.parent.epoch)"))
  // The fork's config stays a plain config that reproduces it.
  #expect(try HyperParameters.load(path: forkURL.appendingPathComponent("config.yaml").path) == plan.settings)
  // Epoch 0 measures the starting weights: the parent's best, so the same validation loss.
  let forkEpochs = try MetricsFile.read(run: forkURL)
  let parentBest = try #require(try MetricsFile.read(run: parentURL).first { $0.epoch == plan.parent.epoch })
  #expect(forkEpochs.first?.epoch == 0)
  #expect(abs((forkEpochs.first?.validationLoss ?? 0) - parentBest.validationLoss) < 1e-5)
  #expect(plan.parent.step == parentBest.step)
  // A listing shows the parent too.
  #expect(RunCatalog.record(at: forkURL).summary?.parent?.run == parentURL.lastPathComponent)
}

@Test func forkOfARunWithoutCheckpointsNamesTheMissingFile() throws {
  let scratch = ScratchDirectory()
  let directory = try RunDirectory(root: scratch.url, name: "empty", hyperParameters: HyperParameters())
  #expect {
    try RunFork.plan(run: directory.url)
  } throws: { error in
    "\(error)".contains("best.safetensors") && "\(error)".contains("no best checkpoint")
  }
}
