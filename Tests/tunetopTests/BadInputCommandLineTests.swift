import Foundation
import Testing

@Test func batchLargerThanTheTrainingSetExitsTwoAndWritesNothing() throws {
  let scratch = Scratch()
  let result = try CLI.run(
    ["train", "--set", "batch_size=500", "--set", "train_samples=100"], in: scratch.url)
  #expect(result.status == 2)
  #expect(result.error.contains("batch_size (500) must be at most the number of training samples (100)"))
  #expect(scratch.runs.isEmpty)
}

/// An unknown TERM is refused before curses touches the screen, with the name and a TERM that works.
@Test(.enabled(if: TmuxPane.available), .timeLimit(.minutes(1)))
func unknownTermIsAClearErrorOnARealTerminal() throws {
  let scratch = Scratch()
  let pane = TmuxPane()
  defer { pane.kill() }
  let status = scratch.url.appendingPathComponent("status")
  let errors = scratch.url.appendingPathComponent("errors")
  try pane.start(
    "cd '\(scratch.url.path)' && TERM=no-such-terminal '\(CLI.binary.path)' 2> '\(errors.path)'; "
      + "echo $? > '\(status.path)'; sleep 30")
  let deadline = Date().addingTimeInterval(20)
  var exit = ""
  while exit.isEmpty && Date() < deadline {
    exit = ((try? String(contentsOf: status, encoding: .utf8)) ?? "").trimmingCharacters(
      in: .whitespacesAndNewlines)
    Thread.sleep(forTimeInterval: 0.1)
  }
  #expect(exit == "2")
  let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
  #expect(
    message.contains("unknown terminal type \"no-such-terminal\"; set TERM to e.g. xterm-256color"),
    "\(message)")
}
