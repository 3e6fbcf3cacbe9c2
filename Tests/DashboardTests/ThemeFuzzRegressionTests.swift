import Foundation
import Testing

@testable import Dashboard

// Replays the theme fuzzer's inputs (Tests/fuzz, see run.sh there) through `ThemeParser.parse(bytes:)`:
// crashes it found are kept in regressions/theme/, and the seeds in corpus/theme/ must keep parsing.

private func themeFuzzInputs(_ kind: String, filePath: String = #filePath) -> [String] {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/\(kind)/theme").path
  let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  return names.filter { !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
}

/// Parses the file's bytes; an error must list diagnostics, each with a message. Returns whether it parsed.
private func replayTheme(_ path: String) throws -> Bool {
  let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
  do {
    let result = try ThemeParser.parse(bytes: bytes, file: "fuzz.theme")
    #expect(result.theme.name == "fuzz")
    return true
  } catch {
    #expect(!error.diagnostics.isEmpty)
    #expect(error.diagnostics.allSatisfy { !$0.message.isEmpty })
    return false
  }
}

@Test(arguments: themeFuzzInputs("regressions"))
func themeFuzzRegression(path: String) throws {
  _ = try replayTheme(path)
}

@Test func themeFuzzSeedsStillParse() throws {
  let paths = themeFuzzInputs("corpus")
  #expect(!paths.isEmpty)
  for path in paths { #expect(try replayTheme(path), "seed \(path) no longer parses") }
}
