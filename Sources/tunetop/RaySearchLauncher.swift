import ArgumentParser
import Foundation
import Training

/// `tunetop search --backend ray`: checks Python, Ray and the cluster address, starts the
/// `tunetop.ray_search` driver, keeps `search.json` current from the trial run directories while
/// Ray schedules the trials, and writes the report with the same code as a local search.
struct RaySearchLauncher {
  var settings: SearchSettings
  var python: String
  var address: String?
  var numCPUs: Int?

  /// The Python to use: `--python`, else `TUNETOP_PYTHON`, else `python3` on PATH.
  static func python(option: String?) -> String {
    option ?? ProcessInfo.processInfo.environment["TUNETOP_PYTHON"] ?? "python3"
  }

  /// Checks what the driver needs before anything is written; each error says what to install.
  func checkEnvironment() throws {
    let probe = Self.capture(
      python,
      [
        "-c",
        "import importlib.util as u; print(' '.join(m for m in ('ray', 'tunetop') if u.find_spec(m) is None))",
      ])
    guard let probe else {
      throw ValidationError(
        "--backend ray needs Python 3 with Ray Tune, and there is no Python at \(python) (set --python or TUNETOP_PYTHON); install with: python3 -m pip install 'ray[tune]' optuna <tunetop>/python"
      )
    }
    let missing = probe.split(separator: " ").map(String.init)
    if missing.contains("ray") {
      throw ValidationError(
        "--backend ray needs Ray Tune, which \(python) cannot import; install it with: \(python) -m pip install 'ray[tune]' optuna"
      )
    }
    if missing.contains("tunetop") {
      throw ValidationError(
        "--backend ray needs tunetop's Python package, which \(python) cannot import; install it with: \(python) -m pip install <tunetop>/python"
      )
    }
    if let address, address != "auto" { try Self.checkReachable(address) }
  }

  /// A TCP connect to HOST:PORT within 3 s, so an unreachable cluster fails fast and clearly.
  static func checkReachable(_ address: String) throws {
    guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...])
    else {
      throw ValidationError("--address must be auto or HOST:PORT (e.g. 10.0.0.5:6379), got \(address)")
    }
    let host = String(address[..<colon])
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
      throw ValidationError("--address \(address): cannot resolve host \(host)")
    }
    defer { freeaddrinfo(list) }
    let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
    guard fd >= 0 else {
      throw ValidationError("--address \(address): socket: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    var problem = "no answer within 3 s"
    if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return }
    if errno == EINPROGRESS {
      var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      if poll(&poller, 1, 3000) == 1 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error == 0 { return }
        problem = String(cString: strerror(error))
      }
    } else {
      problem = String(cString: strerror(errno))
    }
    throw ValidationError(
      "cannot reach a Ray cluster at --address \(address) (\(problem)); start one with `ray start --head` or pass --address auto"
    )
  }

  /// Runs the search to its end (or Ctrl-C) and returns the report.
  func run(printing line: (SearchTrial) -> Void) throws -> (SearchReport, signalled: Int32) {
    let directory = try HyperparameterSearch.createDirectory(settings)
    let id = directory.lastPathComponent
    let baseConfig = directory.appendingPathComponent("base.yaml")
    try AtomicFile.write(Data(settings.base.yaml().utf8), to: baseConfig)
    try SearchRecordFile.write(id: id, settings: settings, trials: [], directory: directory, backend: "ray")
    let specURL = directory.appendingPathComponent("ray-search.json")
    try AtomicFile.write(try spec(id: id, directory: directory, baseConfig: baseConfig), to: specURL)
    print("search \(id) on Ray (\(address ?? "local")): \(settings.trials) trials → \(directory.path)")

    let driver = try spawnInOwnGroup(python, ["-m", "tunetop.ray_search", specURL.path])
    installStopSignalHandlers()
    var signalled: Int32 = 0
    var reported: [Int: RunStatus] = [:]
    var status: Int32 = 0
    var cache = SearchDirectoryCache()
    while true {
      let received = receivedSignal.load(ordering: .relaxed)
      if received != 0 && signalled == 0 {
        signalled = received
        print("stopping the search: Ray stops the running trials, which save their last checkpoint")
        _ = FileManager.default.createFile(
          atPath: directory.appendingPathComponent("ray-stopping").path, contents: nil)
        kill(driver, SIGINT)
      }
      let trials = cache.trials(in: directory, space: settings.space)
      try? SearchRecordFile.write(
        id: id, settings: settings, trials: trials, directory: directory, backend: "ray")
      for trial in trials where trial.status.isFinal && reported[trial.number] != trial.status {
        reported[trial.number] = trial.status
        line(trial)
      }
      var raw: Int32 = 0
      if waitpid(driver, &raw, WNOHANG) == driver {
        status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        break
      }
      Thread.sleep(forTimeInterval: 0.5)
    }
    try? FileManager.default.removeItem(at: directory.appendingPathComponent("ray-stopping"))
    let trials = SearchDirectoryScan.trials(in: directory, space: settings.space)
    if status == 2 && trials.isEmpty {
      // Bad input the driver found (no cluster at --address): nothing is kept.
      try? FileManager.default.removeItem(at: directory)
      throw ExitCode(2)
    }
    for trial in trials where reported[trial.number] != trial.status { line(trial) }
    try SearchRecordFile.write(
      id: id, settings: settings, trials: trials, directory: directory, backend: "ray")
    let report = SearchReport(settings: settings, id: id, directory: directory, trials: trials)
    try report.write()
    if status != 0 && signalled == 0 {
      FileHandle.standardError.write(Data("tunetop: the Ray driver exited with status \(status)\n".utf8))
    }
    return (report, signalled)
  }

  private func spec(id: String, directory: URL, baseConfig: URL) throws -> Data {
    let space = settings.space.dimensions.map { dimension -> [String: Any] in
      var entry: [String: Any] = ["key": dimension.key.name]
      switch dimension.domain {
      case .range(let low, let high, let log):
        entry.merge(["kind": "range", "low": low, "high": high, "log": log]) { $1 }
        if case .count = dimension.key.kind { entry["integer"] = true }
      case .choices(let values): entry.merge(["kind": "choices", "choices": values]) { $1 }
      case .fixed(let value): entry.merge(["kind": "fixed", "value": value]) { $1 }
      }
      return entry
    }
    var object: [String: Any] = [
      "search_id": id, "search_dir": directory.path, "base_config": baseConfig.path,
      "tunetop": Self.executablePath(), "cwd": FileManager.default.currentDirectoryPath,
      "trials": settings.trials, "sampler": settings.sampler.rawValue,
      "scheduler": settings.pruner == .none ? "none" : "asha", "grace_period": settings.gracePeriod,
      "reduction_factor": settings.reductionFactor, "max_epochs": settings.base.epochs, "seed": settings.seed,
      "space": space,
    ]
    if let address { object["address"] = address }
    if let numCPUs { object["num_cpus"] = numCPUs }
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  }

  static func executablePath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }

  /// The driver in a process group of its own, so a terminal's Ctrl-C reaches only tunetop, which
  /// marks the search as stopping before it passes one SIGINT on (a second would make Ray abort).
  private func spawnInOwnGroup(_ program: String, _ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let result = posix_spawnp(&pid, program, nil, &attributes, argv, environ)
    guard result == 0 else {
      throw ValidationError("cannot start \(program): \(String(cString: strerror(result)))")
    }
    return pid
  }

  /// Standard output of a short command, nil when it cannot start or fails.
  static func capture(_ program: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
