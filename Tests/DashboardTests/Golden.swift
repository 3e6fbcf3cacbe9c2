import Foundation
import Testing

@testable import Dashboard

/// Compares a buffer's text with `Golden/<name>.txt` next to this file; `RECORD_GOLDEN=1` rewrites the file.
func expectGolden(
  _ buffer: ScreenBuffer, _ name: String, filePath: String = #filePath,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden")
  let url = directory.appendingPathComponent(name + ".txt")
  let actual = buffer.text + "\n"
  if let record = ProcessInfo.processInfo.environment["RECORD_GOLDEN"], !record.isEmpty, record != "0" {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? actual.write(to: url, atomically: true, encoding: .utf8)
    return
  }
  guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
    Issue.record(
      "missing golden file \(url.path); run with RECORD_GOLDEN=1 to create it", sourceLocation: sourceLocation
    )
    return
  }
  #expect(
    actual == expected, "screen differs from \(name).txt (RECORD_GOLDEN=1 re-records)",
    sourceLocation: sourceLocation)
}

/// The path of a file under `Fixtures/`.
func fixturePath(_ name: String, filePath: String = #filePath) -> String {
  URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name).path
}

/// The repository's `themes/` directory.
func shippedThemesDirectory(filePath: String = #filePath) -> String {
  URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("themes").path
}
