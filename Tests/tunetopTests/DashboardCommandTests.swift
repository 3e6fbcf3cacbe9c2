import Foundation
import Testing

@Test func dashboardWithoutATerminalExplainsAndExitsTwo() throws {
  let scratch = Scratch()
  let result = try CLI.run(["--runs", "runs"], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("the dashboard needs a terminal; for headless runs use `tunetop train`"))
  #expect(scratch.runs.isEmpty)
}

@Test func dashboardRejectsBadInputBeforeTheScreen() throws {
  let scratch = Scratch()
  let bad = try CLI.run(["--set", "learning_rate=-1"], in: scratch.url)
  #expect(bad.status == 2)
  #expect(bad.error.contains("learning_rate"))
  let theme = try CLI.run(["--theme", "no-such-theme"], in: scratch.url)
  #expect(theme.status == 2)
  #expect(theme.error.contains("no-such-theme"))
}
