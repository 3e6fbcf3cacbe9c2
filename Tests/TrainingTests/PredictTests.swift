import Foundation
import Testing

@testable import Training

/// Three classes by name; feature `big` is in the thousands, `small` around 0.01: both carry the class,
/// so a model only sees `small` when the inputs are scaled.
private func threeClassTable(rows: Int, seed: UInt64 = 9) -> String {
  var rng = SplitMix64(seed: seed)
  var lines = ["id,big,small,label"]
  for row in 0..<rows {
    let kind = row % 3
    let big = 1000 + Float(kind) * 300 + Float(rng.next() % 200)
    let small = 0.01 + Float(kind) * 0.01 + Float(rng.next() % 50) * 1e-4
    lines.append("row\(row),\(big),\(small),\(["benign", "malignant", "unsure"][kind])")
  }
  return lines.joined(separator: "\n") + "\n"
}

private func trainedRun(_ scratch: ScratchDirectory, extra: [String] = []) throws -> (
  URL, PreparedRun, String
) {
  let path = scratch.url.appendingPathComponent("table.csv").path
  try threeClassTable(rows: 150).write(toFile: path, atomically: true, encoding: .utf8)
  let hp = try HyperParameters().applying(
    overrides: [
      "task=\(path)", "base_model=none", "epochs=30", "batch_size=16", "learning_rate=0.01",
      "early_stopping_patience=0", "hidden_sizes=16",
    ] + extra)
  let prepared = try PreparedRun.prepare(hp)
  let directory = try RunDirectory(
    root: scratch.url.appendingPathComponent("runs"), name: "t", hyperParameters: hp)
  let url = directory.url
  #expect(Trainer(try PreparedRun.prepare(hp), directory: directory).runOnThisThread().status == .completed)
  return (url, prepared, path)
}

@Test func checkpointsCarryTheScalingAndPredictAppliesIt() throws {
  let scratch = ScratchDirectory()
  let (run, prepared, path) = try trainedRun(scratch)
  let predictor = try Predictor(checkpoint: try Predictor.checkpointURL(run: run, choice: "best"))
  #expect(predictor.preprocessing == prepared.preprocessing)
  #expect(predictor.preprocessing.normalize == .standard)
  #expect(predictor.preprocessing.classes.names == ["benign", "malignant", "unsure"])

  let table = try predictor.read(path: path)
  let probabilities = try predictor.probabilities(table)
  #expect(probabilities.rows == 150)
  for row in 0..<probabilities.rows {
    let sum = (0..<3).reduce(Float(0)) { $0 + probabilities[row, $1] }
    #expect(abs(sum - 1) < 1e-5)
  }
  // Predicting names, and well: the table is easy once scaled.
  let labels = try predictor.preprocessing.labels(table)
  var correct = 0
  for row in 0..<probabilities.rows {
    let best = (0..<3).max { probabilities[row, $0] < probabilities[row, $1] }!
    if best == labels[row] { correct += 1 }
  }
  #expect(Double(correct) / 150 > 0.9)
  // The same rows without scaling give other probabilities: predict must scale.
  let raw = Matrix(rows: table.rowCount, cols: 2, storage: table.numbers)
  let unscaled = predictor.probabilities(inputs: raw)
  #expect(unscaled.storage != probabilities.storage)
  // And with scaling they are exactly what the model gives the encoded test split.
  let testRows = predictor.probabilities(inputs: (prepared.test as! Dataset).features)
  #expect(testRows.rows == prepared.test.count)

  var out: [UInt8] = []
  PredictionWriter.csv(
    ids: (name: "id", values: table.textColumns[0]!), classes: predictor.preprocessing.classes.names,
    probabilities: probabilities, unreadable: [1]
  ) { out += $0 }
  let lines = String(decoding: out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
  #expect(lines[0] == "id,predicted,p_benign,p_malignant,p_unsure")
  #expect(lines[1].hasPrefix("row0,benign,"))
  #expect(lines[2] == "row1,,,,")
  #expect(lines.count == 152)
}

@Test func resumeKeepsTheStoredScalingEvenWhenTheFileChanged() throws {
  let scratch = ScratchDirectory()
  let path = scratch.url.appendingPathComponent("table.csv").path
  try threeClassTable(rows: 150).write(toFile: path, atomically: true, encoding: .utf8)
  let hp = try HyperParameters().applying(
    overrides: ["task=\(path)", "base_model=none", "epochs=40", "batch_size=8", "early_stopping_patience=0"])
  let directory = try RunDirectory(root: scratch.url, name: "stopped", hyperParameters: hp)
  let url = directory.url
  let original = try PreparedRun.prepare(hp).preprocessing
  let trainer = Trainer(try PreparedRun.prepare(hp), directory: directory)
  trainer.start()
  var stopped = false
  while trainer.summary == nil {
    for event in trainer.drainEvents() {
      if case .step(let step) = event, !stopped, step.epoch > 2 {
        trainer.send(.stop)
        stopped = true
      }
    }
    Thread.sleep(forTimeInterval: 0.001)
  }
  // Refitting on the changed file would give other statistics; the resumed run must not.
  try threeClassTable(rows: 150, seed: 77).write(toFile: path, atomically: true, encoding: .utf8)
  #expect(try PreparedRun.prepare(hp).preprocessing != original)
  let resumed = try ResumableRun.open(url)
  #expect(resumed.prepared.preprocessing == original)
}

@Test func aForkReusesItsParentsScaling() throws {
  let scratch = ScratchDirectory()
  let (run, prepared, _) = try trainedRun(scratch, extra: ["normalize=minmax"])
  let (settings, _) = try RunFork.plan(run: run)
  var forked = settings
  forked.normalize = "standard"  // the base's statistics win over the key
  let fork = try PreparedRun.prepare(forked)
  #expect(fork.preprocessing == prepared.preprocessing)
  #expect(fork.preprocessing?.normalize == .minmax)
  #expect(fork.tableReport?.scalingSource.hasPrefix("reused from") == true)
  // lr-find prepares the same way, so it sees the same inputs.
  #expect((fork.train as! Dataset).features == (prepared.train as! Dataset).features)
}

@Test func checkpointChoicesAreCheckedByName() throws {
  let scratch = ScratchDirectory()
  let (run, _, _) = try trainedRun(scratch)
  #expect(throws: PredictError.badCheckpointChoice("newest")) {
    try Predictor.checkpointURL(run: run, choice: "newest")
  }
  #expect(try Predictor.checkpointURL(run: run, choice: "last").lastPathComponent == "last.safetensors")
}

@Test func probabilitiesAreWrittenWithSixDecimals() {
  var buffer: [UInt8] = []
  for value: Float in [0, 1, 0.5, 0.000123, 0.9999999, 0.25, 0.123456, 0.000001, 0.0000004, 0.010203, 0.1] {
    PredictionWriter.appendProbability(value, to: &buffer)
    buffer.append(UInt8(ascii: " "))
  }
  #expect(
    String(decoding: buffer, as: UTF8.self) == "0 1 0.5 0.000123 1 0.25 0.123456 0.000001 0 0.010203 0.1 ")
  #expect(PredictionWriter.quoted("a,b") == "\"a,b\"")
  #expect(PredictionWriter.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
}
