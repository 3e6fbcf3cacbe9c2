import Foundation
import Testing

@testable import Training

/// Checks that a run directory left by a killed process is readable: every file either parses
/// completely or is absent, and `metrics.csv` has no torn line.
func checkRunDirectoryIsConsistent(_ run: URL) throws {
  let files = Set(try FileManager.default.contentsOfDirectory(atPath: run.path))
  let metricsText = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
  #expect(metricsText.hasSuffix("\n"), "metrics.csv ends mid-line in \(run.lastPathComponent)")
  let lines = metricsText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
  #expect(lines.first.map(String.init) == RunDirectory.metricsHeader)
  for (index, line) in lines.dropFirst().enumerated() {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
    #expect(fields.count == 8, "torn metrics line \(index + 2): \(line)")
    #expect(Int(fields[0]) == index, "epochs are not consecutive at line \(index + 2)")
  }
  for checkpoint in ["best.safetensors", "last.safetensors"] where files.contains(checkpoint) {
    let file = try SafeTensors.read(from: run.appendingPathComponent(checkpoint))
    #expect(file["head.weight"]?.shape == [10, 64])
  }
  if files.contains("summary.json") {
    _ = try JSONDecoder().decode(
      RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
  }
  if files.contains("config.yaml") {
    _ = try HyperParameters.load(path: run.appendingPathComponent("config.yaml").path)
  }
  if files.contains("events.jsonl") {
    let events = try String(contentsOf: run.appendingPathComponent("events.jsonl"), encoding: .utf8)
    #expect(events.isEmpty || events.hasSuffix("\n"))
    for line in events.split(separator: "\n") {
      _ = try JSONSerialization.jsonObject(with: Data(line.utf8))
    }
  }
}

@Test func sigkillAtRandomMomentsNeverLeavesATornRunDirectory() throws {
  let scratch = Scratch()
  var generator = SplitMix64(seed: 2024)
  let deadline = Date().addingTimeInterval(40)
  var kills = 0
  // Small batches and a big train set make checkpoints and metrics writes frequent, so the kills
  // land inside writes as well as between them.
  while kills < 12 && Date() < deadline {
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = [
      "train", "--set", "epochs=100000", "--set", "train_samples=40", "--set", "batch_size=40",
      "--set", "early_stopping_patience=0", "--name", "kill\(kills)",
    ]
    process.currentDirectoryURL = scratch.url
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Start-up time varies with the machine's load: wait for the run directory (most of the
    // time), then kill somewhere in the next second, inside or between epochs.
    let started = Date()
    let waitForFirstEpoch = generator.next() % 8 != 0
    let runName = "kill\(kills)"
    func epochsOnDisk() -> Int {
      guard let run = scratch.runs.first(where: { $0.lastPathComponent.hasSuffix("-" + runName) }),
        let text = try? String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
      else { return 0 }
      return text.split(separator: "\n").count - 1
    }
    while waitForFirstEpoch && epochsOnDisk() == 0 && Date().timeIntervalSince(started) < 20 {
      Thread.sleep(forTimeInterval: 0.01)
    }
    Thread.sleep(forTimeInterval: Double(generator.nextUnitFloat()))
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    kills += 1
  }
  #expect(kills >= 4)
  let runs = scratch.runs
  // A kill during start-up may come before the directory exists; never a half-made one.
  #expect(runs.count >= 1 && runs.count <= kills)
  var runsWithEpochs = 0
  for run in runs {
    try checkRunDirectoryIsConsistent(run)
    let metrics = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    if metrics.split(separator: "\n").count > 1 { runsWithEpochs += 1 }
  }
  // Most kills came after real progress, so this checked directories with epochs in them.
  #expect(runsWithEpochs * 2 >= kills)
}
