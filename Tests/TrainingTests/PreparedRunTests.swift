import Foundation
import Testing

@testable import Training

private func writeCSV(_ text: String, in scratch: ScratchDirectory, name: String = "data.csv") throws
  -> String
{
  let url = scratch.url.appendingPathComponent(name)
  try text.write(to: url, atomically: true, encoding: .utf8)
  return url.path
}

/// A CSV of `rows` samples with `features` columns and labels cycling through `classes`.
private func syntheticCSV(rows: Int, features: Int, classes: Int) -> String {
  var lines = [(0..<features).map { "f\($0)" }.joined(separator: ",") + ",label"]
  for row in 0..<rows {
    lines.append(
      (0..<features).map { String(Double(($0 + row) % 7) / 7) }.joined(separator: ",") + ",\(row % classes)")
  }
  return lines.joined(separator: "\n") + "\n"
}

@Test func csvWiderThanTheBaseModelIsAClearError() throws {
  let scratch = ScratchDirectory()
  let path = try writeCSV(syntheticCSV(rows: 80, features: 30, classes: 3), in: scratch)
  let hp = try settings(["task=\(path)", "train_samples=20"])
  let error = #expect(throws: ConfigError.self) { try PreparedRun.prepare(hp) }
  #expect(error?.key == "base_model")
  #expect(error?.message.contains("30 feature columns") == true)
  #expect(error?.message.contains("takes 64 inputs") == true)
}

@Test func labelsBeyondTheHeadAskForANewHead() throws {
  let scratch = ScratchDirectory()
  let path = try writeCSV(syntheticCSV(rows: 120, features: 64, classes: 12), in: scratch)
  let hp = try settings(["task=\(path)", "train_samples=20"])
  let error = #expect(throws: ConfigError.self) { try PreparedRun.prepare(hp) }
  #expect(error?.message.contains("reset_head: true") == true)
  // With a new head the same data trains, and the head has one output per class.
  let prepared = try PreparedRun.prepare(
    try settings(["task=\(path)", "train_samples=20", "reset_head=true"]))
  #expect(prepared.model.classes == 12)
}

@Test func fromScratchUsesHiddenSizesAndTheDataWidth() throws {
  let scratch = ScratchDirectory()
  let path = try writeCSV(syntheticCSV(rows: 80, features: 5, classes: 3), in: scratch)
  let prepared = try PreparedRun.prepare(
    try settings(["task=\(path)", "train_samples=20", "base_model=none", "hidden_sizes=16,8,4"]))
  #expect((prepared.model as? MLP)?.inputSize == 5)
  #expect(prepared.model.groupNames == ["hidden1", "hidden2", "hidden3", "head"])
  #expect(prepared.model.classes == 3)
}

@Test func baseModelWithOtherShapesNamesTheTensor() throws {
  let scratch = ScratchDirectory()
  let model = MLP(inputSize: 64, hiddenSizes: [64, 64], classes: 10, dropout: 0, seed: 1)
  let url = scratch.url.appendingPathComponent("other.safetensors")
  try SafeTensors.write(model.checkpointTensors(), to: url)
  let target = MLP(inputSize: 64, hiddenSizes: [128, 64], classes: 10, dropout: 0, seed: 1)
  let error = #expect(throws: CheckpointMismatchError.self) {
    try target.load(SafeTensors.read(from: url), path: url.path)
  }
  #expect(error?.description == "\(url.path): hidden1.weight: expected 128×64, file has 64×64")
  // Through the config, the file's own architecture is used and it loads.
  let prepared = try PreparedRun.prepare(try settings(["base_model=\(url.path)"]))
  #expect(prepared.hyperParameters.hiddenSizes == [64, 64])
}

@Test func frozenGroupMustExistInTheModel() throws {
  let error = #expect(throws: ConfigError.self) {
    try PreparedRun.prepare(try settings(["frozen=hidden7"]))
  }
  #expect(error?.message.contains("hidden7") == true)
  #expect(error?.message.contains("hidden1, hidden2, head") == true)
}

@Test func missingTaskFileSaysWhatIsValid() throws {
  let error = #expect(throws: ConfigError.self) {
    try PreparedRun.prepare(try settings(["task=/nonexistent/data.csv"]))
  }
  #expect(error?.key == "task")
  #expect(error?.message.contains("thick-digits") == true)
}
