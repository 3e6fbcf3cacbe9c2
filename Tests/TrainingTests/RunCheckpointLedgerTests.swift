import Foundation
import Testing

@testable import Training

@Test func aCheckpointIsKeptEachTimeValidationImprovesAndTheLedgerMarksTheBest() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=6", "train_samples=30", "learning_rate=0.01", "early_stopping_patience=0"])
  let directory = try RunDirectory(root: scratch.url, name: "ledger", hyperParameters: hp)
  let run = directory.url
  let historyURL = { (epoch: Int) in
    run.appendingPathComponent(String(format: "checkpoints/epoch-%04d.safetensors", epoch))
  }
  let bestURL = directory.bestCheckpointURL
  let readSummary = { try RunDirectory(existing: run).readSummary() }
  _ = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()

  let improving = try MetricsFile.read(run: run).filter(\.isBest).map(\.epoch)
  let entries = CheckpointLedger.entries(run: run)
  let history = entries.filter { $0.kind == .history }
  #expect(history.map(\.epoch) == improving)
  let best = try readSummary().bestEpoch
  #expect(history.filter(\.isBest).map(\.epoch) == [best])
  #expect(entries.contains { $0.kind == .last && $0.epoch == 6 })
  // Each kept file holds the weights of its epoch, which `best` held at the time.
  let kept = try SafeTensors.read(from: historyURL(best))
  #expect(kept == (try SafeTensors.read(from: bestURL)))
  #expect(kept.metadata["epoch"] == String(best))
  #expect(history.allSatisfy { $0.validationLoss.isFinite })

  let first = try #require(history.first)
  let promoted = try CheckpointLedger.promote(first, run: run)
  #expect(try Data(contentsOf: promoted) == (try Data(contentsOf: URL(fileURLWithPath: first.path))))
  #expect(CheckpointLedger.entries(run: run).contains { $0.kind == .promoted && $0.epoch == first.epoch })

  let deleted = try CheckpointLedger.deleteNonBest(run: run)
  #expect(deleted == history.count - 1)
  let after = CheckpointLedger.entries(run: run)
  #expect(after.filter { $0.kind == .history }.map(\.epoch) == [best])
  // best, last and promoted are never deleted.
  for file in ["best.safetensors", "last.safetensors", "promoted.safetensors"] {
    #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path))
  }
}

@Test func runsFromBeforeTheHistoryShowTheirBestCheckpoint() throws {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=2", "train_samples=20"])
  let directory = try RunDirectory(root: scratch.url, name: "old", hyperParameters: hp)
  let run = directory.url
  let checkpoints = directory.checkpointsURL
  _ = Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread()
  try FileManager.default.removeItem(at: checkpoints)
  let entries = CheckpointLedger.entries(run: run)
  #expect(entries.map(\.kind) == [.best, .last])
  #expect(entries.first?.isBest == true)
  #expect(entries.first?.epoch == (try RunDirectory(existing: run).readSummary()).bestEpoch)
}
