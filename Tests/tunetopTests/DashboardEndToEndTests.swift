import Foundation
import Testing

/// Drives the real dashboard in a detached tmux pane, the way a person at a terminal would.
struct TmuxPane {
  let session = "tunetop-e2e-\(UUID().uuidString.prefix(8))"

  static var available: Bool {
    (try? TmuxPane.tmux(["-V"])) != nil
  }

  /// Runs tmux; output goes through a file, not a pipe, because the tmux server that `new-session`
  /// forks would inherit a pipe and keep it open, so reading it to the end would never return.
  @discardableResult
  static func tmux(_ arguments: [String]) throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["tmux"] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = arguments.first == "new-session" ? FileHandle.nullDevice : handle
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try handle.close()
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
  }

  func start(_ command: String, width: Int = 80, height: Int = 24) throws {
    try TmuxPane.tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
  }

  func keys(_ keys: String...) throws { try TmuxPane.tmux(["send-keys", "-t", session] + keys) }
  func type(_ text: String) throws { try TmuxPane.tmux(["send-keys", "-t", session, "-l", "--", text]) }
  func screen() -> String { (try? TmuxPane.tmux(["capture-pane", "-p", "-t", session])) ?? "" }
  func kill() { _ = try? TmuxPane.tmux(["kill-session", "-t", session]) }

  /// Polls the screen until `condition` holds or `seconds` pass; returns the last screen seen.
  @discardableResult
  func waitFor(_ seconds: Double = 10, _ what: String, _ condition: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var last = ""
    while Date() < deadline {
      last = screen()
      if condition(last) { return last }
      Thread.sleep(forTimeInterval: 0.1)
    }
    Issue.record("timed out waiting for \(what); the screen was:\n\(last)")
    throw CancellationError()
  }
}

@Test(.enabled(if: TmuxPane.available), .timeLimit(.minutes(1)))
func dashboardEditStartWatchStopQuit() throws {
  let scratch = Scratch()
  let pane = TmuxPane()
  defer { pane.kill() }
  let status = scratch.url.appendingPathComponent("status")
  let command =
    "cd '\(scratch.url.path)' && TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '\(CLI.binary.path)' "
    + "--runs runs --set train_samples=100 --set epochs=2000 --set early_stopping_patience=0; "
    + "echo $? > '\(status.path)'; sleep 30"
  try pane.start(command)
  try pane.waitFor(15, "the idle dashboard") { $0.contains("press s to start") && $0.contains("IDLE") }

  // Edit learning_rate (the 8th row) by typing, and see the value in the form.
  for _ in 0..<7 { try pane.keys("j") }
  try pane.keys("Enter")
  for _ in 0..<8 { try pane.keys("BSpace") }
  try pane.type("0.002")
  try pane.keys("Enter")
  try pane.waitFor(5, "the edited value") { $0.contains("learning_rate") && $0.contains("0.002") }

  // Start; the sparklines fill as epochs arrive.
  try pane.keys("s")
  try pane.waitFor(15, "a running run with filled sparklines") { screen in
    guard screen.contains("RUNNING") else { return false }
    let validationLine = screen.split(separator: "\n").first { $0.contains("│val ") } ?? ""
    return validationLine.filter { "▁▂▃▄▅▆▇█".contains($0) }.count >= 3
  }

  // Stop: back to a stopped state with the curves still on screen.
  try pane.keys("s")
  let stopped = try pane.waitFor(10, "the stopped state") { $0.contains("STOPPED") }
  #expect(stopped.contains("best"))

  try pane.keys("q")
  let deadline = Date().addingTimeInterval(10)
  while !FileManager.default.fileExists(atPath: status.path), Date() < deadline {
    Thread.sleep(forTimeInterval: 0.1)
  }
  let exit = (try? String(contentsOf: status, encoding: .utf8))?.trimmingCharacters(
    in: .whitespacesAndNewlines)
  #expect(exit == "0")

  // The run directory is the same as `tunetop train` writes, with the edit and the stop recorded.
  let run = try #require(scratch.runs.first)
  let summary = try String(contentsOf: run.appendingPathComponent("summary.json"), encoding: .utf8)
  #expect(summary.contains("\"stopped\""))
  let config = try String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)
  #expect(config.contains("learning_rate: 0.002"))
}
