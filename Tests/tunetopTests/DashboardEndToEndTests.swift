import Foundation
import Testing

/// Drives the real dashboard in a detached tmux pane, the way a person at a terminal would.
struct TmuxPane {
  let session = "tunetop-e2e-\(UUID().uuidString.prefix(8))"

  static var available: Bool {
    (try? TmuxPane.tmux(["-V"])) != nil
  }

  /// Runs tmux with no signals blocked and output in a file. A test runner's threads may block SIGINT,
  /// SIGTERM and SIGHUP, and `Process` passes that mask on; a tmux server started that way (and every
  /// pane under it) would never see those signals. A pipe is avoided too: the forked server would keep
  /// it open, so reading it to the end would never return.
  @discardableResult
  static func tmux(_ arguments: [String]) throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)")
      .path
    defer { unlink(output) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = (["tmux"] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    guard posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) == 0 else {
      throw CocoaError(.executableNotLoadable)
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { throw CocoaError(.executableLoad) }
    return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
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
  let exit = waitForExitStatus(in: status)
  #expect(exit == "0")

  // The run directory is the same as `tunetop train` writes, with the edit and the stop recorded.
  let run = try #require(scratch.runs.first)
  let summary = try String(contentsOf: run.appendingPathComponent("summary.json"), encoding: .utf8)
  #expect(summary.contains("\"stopped\""))
  let config = try String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)
  #expect(config.contains("learning_rate: 0.002"))
}
