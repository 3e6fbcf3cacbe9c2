import Foundation
import Testing

@testable import Training
@testable import tunetop

/// Polls the reader as the dashboard loop does, for at most ten seconds.
private func nextListing(_ reader: BackgroundRunsReader) -> [RunRecord]? {
  let deadline = Date().addingTimeInterval(10)
  while Date() < deadline {
    if let records = reader.take() { return records }
    usleep(5_000)
  }
  return nil
}

@Test func backgroundReaderListsRunsAndServesARequestMadeDuringAListing() throws {
  let scratch = Scratch()
  let runs = scratch.url.appendingPathComponent("runs")
  func addRun(_ name: String) throws {
    let run = try RunDirectory(root: runs, name: name, hyperParameters: HyperParameters())
    try run.writeSummary(RunSummary(status: .completed, epochsRun: 1))
  }
  try addRun("first")
  let reader = BackgroundRunsReader(runs: runs)
  #expect(reader.take() == nil, "nothing is listed before it is asked for")
  reader.request()
  #expect(try #require(nextListing(reader)).count == 1)
  #expect(reader.take() == nil, "a listing is handed over once")

  // Runs added while a listing may be under way are in the listing that answers the last request.
  reader.request()
  try addRun("second")
  try addRun("third")
  reader.request()
  var latest: [RunRecord] = []
  let deadline = Date().addingTimeInterval(10)
  while latest.count < 3, Date() < deadline, let records = nextListing(reader) { latest = records }
  #expect(
    latest.map { String($0.name.split(separator: "-").last!) }.sorted() == ["first", "second", "third"])
}
