import Foundation
import Testing

@testable import Training

@Test func runsListsASearchsTrialsByNameInsteadOfAnUnreadableRow() throws {
  let scratch = Scratch()
  let search = try CLI.run(
    [
      "search", "--trials", "3", "--sampler", "random", "--pruner", "none", "--name", "probe",
      "--set", "train_samples=30", "--set", "epochs=1", "--set", "warmup_epochs=0",
    ], in: scratch.url)
  #expect(search.status == 0, "\(search.error)")
  let train = try CLI.run(
    [
      "train", "--set", "train_samples=30", "--set", "epochs=1", "--set", "warmup_epochs=0", "--name",
      "plain",
    ],
    in: scratch.url)
  #expect(train.status == 0, "\(train.error)")

  let listing = try CLI.run(["runs", "--sort", "name"], in: scratch.url)
  #expect(listing.status == 0, "\(listing.error)")
  #expect(!listing.output.contains("unreadable"), "\(listing.output)")
  let searchName = try #require(scratch.runs.map(\.lastPathComponent).first { $0.contains("-search-probe") })
  let trialRows = listing.output.split(separator: "\n").filter { $0.hasPrefix(searchName + "/") }
  #expect(trialRows.count == 3, "\(listing.output)")
  #expect(trialRows.allSatisfy { $0.contains("completed") })
  #expect(listing.output.contains("-plain "))
  let filtered = try CLI.run(["runs", "--filter", "PLAIN completed"], in: scratch.url)
  #expect(filtered.status == 0 && filtered.output.split(separator: "\n").count == 2, "\(filtered.output)")
  #expect(filtered.output.contains("-plain "))
  let none = try CLI.run(["runs", "--filter", "nothing-like-this"], in: scratch.url)
  #expect(none.status == 0 && none.output.contains("none of the 4 runs under runs matches"), "\(none.output)")

  // The dashboard's listing agrees: three trials with the search in their name, and the plain run.
  let records = RunCatalog.list(runs: scratch.url.appendingPathComponent("runs"))
  #expect(records.count == 4)
  #expect(records.filter { $0.name.hasPrefix(searchName + "/") }.count == 3)
  #expect(records.allSatisfy { $0.summary != nil })
  let cached = RunCatalogCache().list(runs: scratch.url.appendingPathComponent("runs"))
  #expect(cached.map(\.name).sorted() == records.map(\.name).sorted())
  // A trial read on its own (as compare and export do) keeps the search in its name.
  let trial = try #require(records.first { $0.name.hasPrefix(searchName + "/") })
  #expect(RunCatalog.record(at: URL(fileURLWithPath: trial.path)).name == trial.name)
}
