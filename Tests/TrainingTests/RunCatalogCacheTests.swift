import Foundation
import Testing

@testable import Training

/// What a listing shows of each run (summaries hold NaN before the first epoch, so not `==` on records).
private func shown(_ records: [RunRecord]) -> [String] {
  records.map { "\($0.path) \($0.statusText) \($0.summary?.epochsRun ?? -1) \($0.differences)" }
}

@Test func cachedListingSeesChangedAddedAndDeletedRuns() throws {
  let scratch = ScratchDirectory()
  var settings = HyperParameters()
  settings.dropout = 0
  let first = try RunDirectory(root: scratch.url, name: "first", hyperParameters: settings)
  let second = try RunDirectory(root: scratch.url, name: "second", hyperParameters: HyperParameters())
  let cache = RunCatalogCache()
  #expect(cache.isEmpty)
  let listed = cache.list(runs: scratch.url)
  #expect(shown(listed) == shown(RunCatalog.list(runs: scratch.url)))
  #expect(listed.first { $0.path == first.url.path }?.differences == ["dropout=0"])
  #expect(RunCatalog.list(runs: scratch.url, readingSettings: false).allSatisfy { $0.settings == nil })

  // A summary rewritten (as every epoch does) is read again; the other run comes from the cache.
  try first.writeSummary(RunSummary(status: .completed, epochsRun: 3, bestEpoch: 2, wallSeconds: 1))
  let third = try RunDirectory(root: scratch.url, name: "third", hyperParameters: HyperParameters())
  try FileManager.default.removeItem(at: second.url)
  let refreshed = cache.list(runs: scratch.url)
  #expect(refreshed.map(\.path) == [first.url.path, third.url.path].sorted())
  #expect(refreshed.first { $0.path == first.url.path }?.summary?.epochsRun == 3)
  #expect(shown(refreshed) == shown(RunCatalog.list(runs: scratch.url)))
}
