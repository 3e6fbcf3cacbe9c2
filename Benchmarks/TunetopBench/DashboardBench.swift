// `tunetop-bench dashboard`: what the dashboard costs.
//
//   swift run -c release tunetop-bench dashboard [--samples N] [--binary path/to/tunetop]
//
// - frame: one frame as the UI loop makes it — render the state into the reused ScreenBuffer, then
//   find the cells that changed since the previous frame (the diff TerminalSession.flush draws) —
//   at 80×24 and 200×60, on a state fed with the events of a real training run (hundreds of epochs,
//   thousands of bucketed steps, hot edits, freeze changes). Frames alternate between two states a
//   few steps apart so the diff always has work to do, as it has during a run.
// - first_frame: the release `tunetop` binary started on a pseudo-terminal, timed from spawn until
//   the first bytes arrive and until the status bar of the first frame has arrived; then `q`.
//
// Training throughput with the dashboard open against headless is a separate script,
// Benchmarks/dashboard_overhead.sh, because it needs two real processes and a terminal (tmux).

import Dashboard
import Foundation
import Training

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings of the run whose events fill the benchmark's dashboard: long enough that every chart is
/// full and the step series is bucketed many times over.
func dashboardBenchSettings() -> HyperParameters {
  var settings = HyperParameters()
  settings.epochs = 300
  settings.trainSamples = 400
  settings.batchSize = 16
  settings.earlyStoppingPatience = 0
  settings.unfreezeEvery = 50
  settings.frozen = ["hidden1", "hidden2"]
  return settings
}

/// Two dashboard states a few training steps apart, built from a real run's events through `reduce`,
/// with hot edits sent while it ran.
func fullDashboardStates() throws -> (DashboardState, DashboardState) {
  let settings = dashboardBenchSettings()
  let prepared = try PreparedRun.prepare(settings)
  let model = prepared.model
  let info = ModelInfo(
    groups: model.groupNames,
    parameterCounts: Dictionary(
      uniqueKeysWithValues: model.groupNames.map { ($0, model.parameterCount(group: $0)) }),
    trainSamples: prepared.train.count, validationSamples: prepared.validation.count)
  var state = DashboardState(settings: settings, model: info)
  _ = reduce(&state, .startStop)
  _ = reduce(&state, .modelPrepared(info))

  let trainer = Trainer(prepared, directory: nil)
  trainer.start()
  var events: [TrainingEvent] = []
  var hotEdits = 0
  while trainer.summary == nil {
    usleep(20_000)
    let drained = trainer.drainEvents()
    events += drained
    // A hot edit every so often, as a user tweaking the learning rate would.
    if !drained.isEmpty && hotEdits < 12 {
      trainer.send(.setLearningRate(hotEdits % 2 == 0 ? 3e-4 : 1e-3))
      hotEdits += 1
    }
  }
  events += trainer.drainEvents()
  // Hold back the last few steps for the second state, so consecutive frames differ.
  let lastStep = events.lastIndex { if case .step = $0 { true } else { false } } ?? events.count
  let split = max(0, lastStep - 3)
  _ = reduce(&state, .trainingEvents(Array(events[..<split])))
  let before = state
  _ = reduce(&state, .trainingEvents(Array(events[split...])))
  return (before, state)
}

/// Median and best microseconds per frame, rendering and diffing separately and together.
func benchmarkFrame(width: Int, height: Int, states: (DashboardState, DashboardState), samples: Int) -> String
{
  var pair = [states.0, states.1]
  for index in pair.indices {
    _ = reduce(&pair[index], .resize(width: width, height: height))
  }
  var buffers = [ScreenBuffer(width: width, height: height), ScreenBuffer(width: width, height: height)]
  render(pair[1], into: &buffers[1])
  var changed = 0
  var frame = 0
  // One frame: render into the buffer the previous-but-one frame used (as double buffering would),
  // then diff against the previous frame.
  func renderOnly() {
    let current = frame & 1
    render(pair[current], into: &buffers[current])
    frame += 1
  }
  func diffOnly() {
    let current = frame & 1
    var count = 0
    buffers[current].forEachChange(since: buffers[1 - current]) { _, _, _ in count += 1 }
    changed = count
    frame += 1
  }
  func both() {
    let current = frame & 1
    render(pair[current], into: &buffers[current])
    var count = 0
    buffers[current].forEachChange(since: buffers[1 - current]) { _, _, _ in count += 1 }
    changed = count
    frame += 1
  }
  // Even repetition counts keep both buffers rendered from their own state.
  func evenCalibration(_ body: () -> Void) -> Int { (calibrate(target: 0.05, body) + 1) / 2 * 2 }
  let renderRepetitions = evenCalibration(renderOnly)
  let diffRepetitions = evenCalibration(diffOnly)
  let bothRepetitions = evenCalibration(both)
  var renderTimes: [Double] = []
  var diffTimes: [Double] = []
  var frameTimes: [Double] = []
  // CPU time of this thread as well: on a loaded machine wall time also counts the time the
  // thread waited for a core, which says nothing about the frame.
  var frameCPUTimes: [Double] = []
  // Interleaved, so load from other processes hits the three measurements alike.
  for _ in 0..<samples {
    renderTimes.append(secondsPerCall(repetitions: renderRepetitions, renderOnly) * 1e6)
    diffTimes.append(secondsPerCall(repetitions: diffRepetitions, diffOnly) * 1e6)
    let cpuStart = threadCPUNanoseconds()
    frameTimes.append(secondsPerCall(repetitions: bothRepetitions, both) * 1e6)
    frameCPUTimes.append(Double(threadCPUNanoseconds() - cpuStart) / 1e3 / Double(bothRepetitions))
  }
  let run = pair[1].run
  return json([
    ("bench", "dashboard_frame"), ("size", "\(width)x\(height)"), ("samples", samples),
    ("frame_us", median(frameTimes)), ("frame_us_best", frameTimes.min()!),
    ("frame_cpu_us", median(frameCPUTimes)),
    ("render_us", median(renderTimes)), ("diff_us", median(diffTimes)), ("changed_cells", changed),
    ("epochs", run?.epochs.count ?? 0), ("steps", run?.lastStep?.step ?? 0),
    ("hot_edits", run?.hotEdits.count ?? 0), ("goal_us", 1000),
  ])
}

func threadCPUNanoseconds() -> UInt64 {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// A child process on a new pseudo-terminal of the given size, its output readable from `master`.
struct PseudoTerminalChild {
  let pid: pid_t
  let master: Int32

  init(executable: String, arguments: [String], width: Int, height: Int, environment: [String: String]) throws
  {
    var master: Int32 = -1
    var slave: Int32 = -1
    var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
    guard openpty(&master, &slave, nil, nil, &size) == 0 else {
      throw BenchError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
    }
    defer { close(slave) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, slave, descriptor) }
    posix_spawn_file_actions_addclose(&actions, slave)
    posix_spawn_file_actions_addclose(&actions, master)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard status == 0 else {
      close(master)
      throw BenchError("cannot start \(executable): \(String(cString: strerror(status)))")
    }
    self.pid = pid
    self.master = master
  }

  /// Reads what arrived within `timeout` seconds; empty on timeout, nil once the child closed the terminal.
  func read(timeout: Double) -> [UInt8]? {
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    let ready = poll(&descriptor, 1, Int32(timeout * 1000))
    if ready <= 0 { return [] }
    var chunk = [UInt8](repeating: 0, count: 65536)
    let count = chunk.withUnsafeMutableBytes { systemRead(master, $0.baseAddress, $0.count) }
    return count > 0 ? Array(chunk[..<count]) : nil
  }

  func write(_ text: String) {
    _ = text.utf8CString.withUnsafeBufferPointer { systemWrite(master, $0.baseAddress, $0.count - 1) }
  }

  /// Waits for the child to exit, killing it after `timeout` seconds; returns its exit status.
  func finish(timeout: Double) -> Int32 {
    let deadline = now() + UInt64(timeout * 1e9)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
      if now() > deadline {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        break
      }
      // Keep draining, or a child blocked writing to a full terminal would never exit.
      _ = read(timeout: 0.01)
    }
    close(master)
    return status
  }
}

// read(2) and write(2) by a name the methods above do not shadow.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
  #else
    Darwin.read(descriptor, buffer, count)
  #endif
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
  #else
    Darwin.write(descriptor, buffer, count)
  #endif
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// One launch: milliseconds until the first output byte and until `marker` (text of the first
/// complete frame) has been printed.
func launchToFirstFrame(binary: String, runsDirectory: String, marker: [UInt8]) throws -> (
  firstByte: Double, frame: Double
) {
  var environment = ProcessInfo.processInfo.environment
  environment["TERM"] = "xterm-256color"
  environment["LANG"] = "C.UTF-8"
  environment["LC_ALL"] = "C.UTF-8"
  environment.removeValue(forKey: "NO_COLOR")
  let start = now()
  let child = try PseudoTerminalChild(
    executable: binary, arguments: ["--runs", runsDirectory], width: 120, height: 40, environment: environment
  )
  var output: [UInt8] = []
  var firstByte: Double?
  var frame: Double?
  while frame == nil, Double(now() - start) / 1e9 < 10 {
    guard let chunk = child.read(timeout: 1) else { break }
    if chunk.isEmpty { continue }
    if firstByte == nil { firstByte = Double(now() - start) / 1e6 }
    output += chunk
    if output.count >= marker.count,
      output.withUnsafeBufferPointer({ contains($0, marker) })
    {
      frame = Double(now() - start) / 1e6
    }
  }
  child.write("q")
  let status = child.finish(timeout: 5)
  guard let firstByte, let frame else {
    throw BenchError("no first frame from \(binary) within 10 s (exit status \(status))")
  }
  return (firstByte, frame)
}

func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
  guard haystack.count >= needle.count else { return false }
  for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
    if (0..<needle.count).allSatisfy({ haystack[start + $0] == needle[$0] }) { return true }
  }
  return false
}

func runDashboard(arguments: [String]) {
  func value(_ name: String) -> String? { optionValue(name, in: arguments) }
  let samples = value("--samples").flatMap { Int($0) } ?? 11
  let only = value("--only")  // "frame" or "first-frame"
  if only != "first-frame" {
    runFrames(samples: samples)
  }
  if only != "frame" {
    runFirstFrame(binary: value("--binary"), samples: samples)
  }
}

func runFrames(samples: Int) {
  do {
    let states = try fullDashboardStates()
    for (width, height) in [(80, 24), (200, 60)] {
      emit(benchmarkFrame(width: width, height: height, states: states, samples: samples))
    }
  } catch {
    emit(json([("bench", "dashboard_frame"), ("error", "\(error)")]))
  }

}

func runFirstFrame(binary: String?, samples: Int) {
  // The bench binary sits next to `tunetop` in the same build directory.
  let binary =
    binary
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
      "tunetop"
    ).path
  guard FileManager.default.isExecutableFile(atPath: binary) else {
    emit(
      json([
        ("bench", "dashboard_first_frame"),
        ("error", "\(binary) not found; build it with swift build -c release --product tunetop"),
      ]))
    return
  }
  let runs = FileManager.default.temporaryDirectory.appendingPathComponent("tunetop-bench-\(getpid())").path
  defer { try? FileManager.default.removeItem(atPath: runs) }
  // The status bar's key hint is the last thing drawn, so the frame is complete once it arrived.
  let marker = Array("help".utf8)
  var firstBytes: [Double] = []
  var frames: [Double] = []
  do {
    _ = try launchToFirstFrame(binary: binary, runsDirectory: runs, marker: marker)  // warm the page cache
    for _ in 0..<max(3, samples / 2) {
      let launch = try launchToFirstFrame(binary: binary, runsDirectory: runs, marker: marker)
      firstBytes.append(launch.firstByte)
      frames.append(launch.frame)
    }
    emit(
      json([
        ("bench", "dashboard_first_frame"), ("binary", binary), ("size", "120x40"),
        ("launches", frames.count),
        ("first_byte_ms", median(firstBytes)), ("first_frame_ms", median(frames)),
        ("first_frame_ms_best", frames.min()!), ("first_frame_ms_worst", frames.max()!), ("goal_ms", 150),
      ]))
  } catch {
    emit(json([("bench", "dashboard_first_frame"), ("error", "\(error)")]))
  }
}
