import Foundation
import Testing

@testable import Training

/// The hand-written run directory of a PyTorch loop (`Fixtures/foreign-runs`): config keys that are not
/// tunetop's, no epoch 0, empty cells, an extra column, a torn last row and a sparse summary.
private func fixtureRuns() throws -> URL {
  try #require(Bundle.module.url(forResource: "foreign-runs", withExtension: nil, subdirectory: "Fixtures"))
}

@Test func catalogListsARunWrittenByPyTorch() throws {
  let records = RunCatalog.list(runs: try fixtureRuns())
  let record = try #require(records.first { $0.name.hasSuffix("pytorch-demo") })
  #expect(record.source == "pytorch")
  #expect(record.statusText == "completed")
  #expect(record.settings == nil)
  #expect(record.summary?.epochsRun == 3)
  #expect(record.summary?.wallSeconds == 0, "a missing field reads as unknown")
  #expect(record.summary?.samplesPerSecond == 0, "a null field reads as unknown")
  #expect(record.summary?.trainer == "tunetop-python 0.1 (torch 2.13.0)")
  #expect(
    record.differences == [
      "batch_size=16", "max_steps=null", "model=distilbert-base-uncased", "optimizer.betas=[0.9,0.999]",
      "optimizer.lr=5e-05", "optimizer.name=AdamW",
    ])
  #expect(record.matches("pytorch adamw"))
  #expect(!record.matches("lightning"))
}

@Test func metricsOfAForeignRunReadByColumnName() throws {
  let run = try fixtureRuns().appendingPathComponent("20261130-030000-pytorch-demo")
  let epochs = try MetricsFile.read(run: run)
  #expect(epochs.map(\.epoch) == [1, 2, 3], "no epoch 0, and the torn row of epoch 4 waits")
  #expect(epochs[0].trainAccuracy.isNaN, "an empty cell is an unknown value")
  #expect(epochs[0].validationAccuracy == 0.71)
  #expect(epochs[2].validationLoss.isNaN, "NaN in any case")
  #expect(epochs[1].isBest && !epochs[2].isBest)
  #expect(epochs[2].seconds == 10.6)
}

@Test func exportTakesForeignRunsAndTheirOwnKeys() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=2", "train_samples=20"])
  let own = try RunDirectory(root: scratch.url, name: "own", hyperParameters: hp)
  _ = Trainer(try PreparedRun.prepare(hp), directory: own).runOnThisThread()
  let foreign = try fixtureRuns().appendingPathComponent("20261130-030000-pytorch-demo")
  let records = [RunCatalog.record(at: own.url), RunCatalog.record(at: foreign)]
  let lines = try MetricsExport.export(records, format: .csv).split(separator: "\n").map(String.init)
  let header = lines[0].split(separator: ",").map(String.init)
  #expect(header.prefix(2) == ["run", "source"])
  #expect(header.contains("hp_learning_rate") && header.contains("hp_optimizer.lr"))
  #expect(header.suffix(8) == ArraySlice(RunDirectory.metricsColumns))
  // Three tunetop epochs (0 to 2) and the three complete rows of the PyTorch run.
  #expect(lines.count == 1 + 3 + 3)
  let pytorchRows = lines.filter { $0.contains(",pytorch,") }
  #expect(pytorchRows.count == 3)
  #expect(pytorchRows[0].contains(#","[0.9,0.999]","#), "a cell with commas is quoted")
  #expect(pytorchRows[0].hasSuffix(",1,50,0.91,,0.85,0.71,5e-05,3.5"), "an empty cell stays empty")
  let json = try MetricsExport.export(records, format: .jsonl).split(separator: "\n")
  let object = try #require(
    try JSONSerialization.jsonObject(with: Data(json.last!.utf8)) as? [String: Any])
  #expect(object["source"] as? String == "pytorch")
  #expect(object["hp_optimizer.lr"] as? Double == 5e-05)
  #expect(object["train_accuracy"] is NSNull, "an empty cell is null in JSON")
  #expect(object["val_accuracy"] is NSNull)
}

@Test func resumeAndForkRefuseAnotherTrainersRun() throws {
  let foreign = try fixtureRuns().appendingPathComponent("20261130-030000-pytorch-demo")
  #expect {
    try ResumableRun.open(foreign)
  } throws: { String(describing: $0).contains("pytorch run") }
  #expect {
    try RunFork.plan(run: foreign)
  } throws: { String(describing: $0).contains("pytorch run") }
}
