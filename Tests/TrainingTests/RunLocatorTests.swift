import Foundation
import Testing

@testable import Training

@Test func aRunThatCannotBeFoundIsSaidSoNotThatItCannotBeWritten() throws {
  let runs = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
    "locator-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: runs) }
  for name in ["20261130-000000-lr1e-3", "20261130-000001-lr3e-3"] {
    try FileManager.default.createDirectory(
      at: runs.appendingPathComponent(name), withIntermediateDirectories: true)
  }
  let locator = RunLocator(runs: runs)
  #expect(try locator.locate("lr3e").lastPathComponent == "20261130-000001-lr3e-3")
  #expect(throws: RunDirectoryError.self) { try locator.locate("nosuch") }
  do {
    _ = try locator.locate("lr")
    Issue.record("an ambiguous reference was accepted")
  } catch {
    #expect(String(describing: error).hasPrefix("cannot find lr: not a run directory, and it matches 2 runs"))
  }
}
