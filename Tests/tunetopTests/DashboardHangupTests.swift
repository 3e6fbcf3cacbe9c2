import Foundation
import Testing

@testable import Training

extension TmuxPane {
  /// The pid of the `tunetop` process the pane's shell started, found through /proc.
  func tunetopPID() throws -> pid_t {
    let shell = try TmuxPane.tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
      guard let pid = pid_t(entry), let fields = procStat(pid) else { continue }
      if fields.name == "tunetop" && String(fields.parent) == shell { return pid }
    }
    throw CocoaError(.fileNoSuchFile)
  }
}

/// Name, state letter and parent of a process from /proc/<pid>/stat, or nil once it is gone.
func procStat(_ pid: pid_t) -> (name: String, state: Character, parent: pid_t)? {
  guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
  else { return nil }
  let rest = text[text.index(after: close)...].split(separator: " ")
  guard rest.count >= 2, let state = rest[0].first, let parent = pid_t(rest[1]) else { return nil }
  return (String(text[text.index(after: open)..<close]), state, parent)
}

/// True once `pid` has exited (a zombie waiting for a reaper counts: it runs no more code).
func waitForExit(_ pid: pid_t, seconds: Double) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    guard let stat = procStat(pid), stat.state != "Z" else { return true }
    Thread.sleep(forTimeInterval: 0.05)
  }
  return false
}

/// Starts the dashboard in tmux on a run with 50 steps an epoch, starts the run and waits for two
/// epochs on disk; returns the pid of tunetop.
func startDashboardRun(_ pane: TmuxPane, in scratch: Scratch, status: URL) throws -> pid_t {
  let command =
    "cd '\(scratch.url.path)' && TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '\(CLI.binary.path)' "
    + "--runs runs --set train_samples=400 --set batch_size=8 --set epochs=100000 "
    + "--set early_stopping_patience=0; echo $? > '\(status.path)'; sleep 30"
  try pane.start(command)
  try pane.waitFor(15, "the idle dashboard") { $0.contains("IDLE") }
  try pane.keys("s")
  try pane.waitFor(15, "a running run") { $0.contains("RUNNING") }
  _ = scratch.waitForRun(withMetricsLines: 4)
  return try pane.tunetopPID()
}

/// The run a hangup ended: complete on disk, interrupted for that reason, at an epoch boundary.
func checkRunEndedByHangup(_ scratch: Scratch) throws {
  let run = try #require(scratch.runs.first)
  try checkRunDirectoryIsConsistent(run)
  let summary = try RunDirectory(existing: run).readSummary()
  #expect(summary.status == .interrupted)
  #expect(summary.reason?.contains("the terminal closed (SIGHUP)") == true)
  #expect(summary.epochsRun >= 2)
  #expect(summary.steps == summary.epochsRun * 50, "stopped mid-epoch at step \(summary.steps)")
  let last = try SafeTensors.read(from: run.appendingPathComponent("last.safetensors"))
  #expect(last.metadata["step"] == String(summary.steps))
  let events = try String(contentsOf: run.appendingPathComponent("events.jsonl"), encoding: .utf8)
  #expect(events.split(separator: "\n").last?.contains("\"finish\"") == true)
}

@Test(.enabled(if: TmuxPane.available), .timeLimit(.minutes(2)))
func dashboardSIGHUPFinishesTheEpochSavesAndExits129() throws {
  let scratch = Scratch()
  let pane = TmuxPane()
  defer { pane.kill() }
  let status = scratch.url.appendingPathComponent("status")
  let pid = try startDashboardRun(pane, in: scratch, status: status)
  kill(pid, SIGHUP)
  #expect(waitForExit(pid, seconds: 30))
  let exit = waitForExitStatus(in: status)
  #expect(exit == "129")
  try checkRunEndedByHangup(scratch)
}

/// The real thing: the terminal goes away under the process (as when SSH drops), not just a signal.
@Test(.enabled(if: TmuxPane.available), .timeLimit(.minutes(2)))
func dashboardWhoseTerminalIsKilledSavesTheRunAndExits() throws {
  let scratch = Scratch()
  let pane = TmuxPane()
  defer { pane.kill() }
  let pid = try startDashboardRun(pane, in: scratch, status: scratch.url.appendingPathComponent("status"))
  pane.kill()
  #expect(waitForExit(pid, seconds: 30))
  try checkRunEndedByHangup(scratch)
}
