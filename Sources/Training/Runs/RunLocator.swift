import Foundation

/// Finds a run directory from what a user types: a path, a directory name, or a unique part of one.
public struct RunLocator {
  public let runs: URL

  public init(runs: URL) { self.runs = runs }

  public func locate(_ reference: String) throws -> URL {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    if manager.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
      return URL(fileURLWithPath: reference, isDirectory: true)
    }
    let names = ((try? manager.contentsOfDirectory(atPath: runs.path)) ?? [])
      .filter { !$0.hasPrefix(".") }.sorted()
    if names.contains(reference) { return runs.appendingPathComponent(reference) }
    let matches = names.filter { $0.contains(reference) }
    guard matches.count == 1 else {
      let found =
        matches.isEmpty
        ? "no run under \(runs.path) matches it"
        : "it matches \(matches.count) runs: \(matches.prefix(5).joined(separator: ", "))"
      throw RunDirectoryError(path: reference, reason: "not a run directory, and \(found)", action: "find")
    }
    return runs.appendingPathComponent(matches[0])
  }
}
