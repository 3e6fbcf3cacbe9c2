import Foundation
import Testing

@testable import Training

/// How a run directory is taken away mid-run. Tests run as root, where permission bits are ignored,
/// so a full disk or a read-only mount is simulated by what fails the same way: writes into the path.
enum DirectoryLoss: CaseIterable, Sendable {
  case removed
  case replacedByAFile

  func apply(to url: URL) throws {
    try takeAway(url)
    if self == .replacedByAFile { try Data("in the way".utf8).write(to: url) }
  }
}

/// Removes a directory that a trainer may be writing into. It is renamed away first, in one step:
/// deleting it in place races with the trainer creating files inside, and can fail half-way.
func takeAway(_ url: URL) throws {
  let away = url.deletingLastPathComponent().appendingPathComponent(".gone-\(UUID().uuidString)")
  try FileManager.default.moveItem(at: url, to: away)
  try FileManager.default.removeItem(at: away)
}

/// Starts a long run, takes its directory away after the first trained epoch, and returns the summary
/// and every event, the path of the directory, and how many epochs it had trained by then.
func runLosingItsDirectory(_ loss: DirectoryLoss) throws -> (
  RunSummary, [TrainingEvent], path: String, epochsBefore: Int
) {
  let scratch = ScratchDirectory()
  let hp = try settings(["epochs=100000", "train_samples=64", "early_stopping_patience=0"])
  let directory = try RunDirectory(root: scratch.url, name: "lost")
  let url = directory.url
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  trainer.start()
  var events: [TrainingEvent] = []
  while !events.contains(where: { if case .epoch(let m) = $0 { m.epoch >= 1 } else { false } }) {
    events += trainer.drainEvents()
    Thread.sleep(forTimeInterval: 0.002)
  }
  events += trainer.drainEvents()
  let epochsBefore = events.filter { if case .epoch = $0 { true } else { false } }.count
  try loss.apply(to: url)
  let summary = trainer.waitUntilFinished()
  events += trainer.drainEvents()
  return (summary, events, url.path, epochsBefore)
}

@Test(arguments: DirectoryLoss.allCases)
func losingTheRunDirectoryEndsTheRunWithThePath(_ loss: DirectoryLoss) throws {
  let (summary, events, path, epochsBefore) = try runLosingItsDirectory(loss)
  #expect(summary.status == .failed)
  // The reason names the file it could not write, which lies inside the run directory.
  let reason = try #require(summary.reason)
  #expect(reason.contains("cannot write \(path)"), "\(reason)")
  #expect(events.contains(.message(reason)))
  #expect(events.last == .finished(summary))
  // Training stopped at the first failed write: at most the epoch under way was trained unsaved.
  let epochs = events.filter { if case .epoch = $0 { true } else { false } }.count
  #expect(epochs <= epochsBefore + 1)
}
