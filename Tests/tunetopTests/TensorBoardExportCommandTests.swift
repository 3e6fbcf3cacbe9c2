import Foundation
import Testing

@Test func tensorboardExportWritesOneFolderPerRunAndRefusesNoOut() throws {
  let scratch = Scratch()
  let trained = try CLI.run(
    ["train", "--set", "epochs=2", "--set", "train_samples=40", "--name", "tb"], in: scratch.url)
  #expect(trained.status == 0)
  let run = try #require(scratch.runs.first)
  let classes = try String(contentsOf: run.appendingPathComponent("classes.csv"), encoding: .utf8)
  // A header and ten classes for each of the three evaluations (epoch 0 included).
  #expect(classes.split(separator: "\n").count == 1 + 3 * 10)

  let missingOut = try CLI.run(["export", "--format", "tensorboard"], in: scratch.url)
  #expect(missingOut.status == 2)
  #expect(missingOut.error.contains("--format tensorboard writes a directory: give it with --out DIR"))
  let badFormat = try CLI.run(["export", "--format", "tfevents", "--out", "tb"], in: scratch.url)
  #expect(badFormat.status == 2)
  #expect(badFormat.error.contains("--format must be csv, jsonl or tensorboard, got tfevents"))
  #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("tb").path))

  let exported = try CLI.run(["export", "--format", "tensorboard", "--out", "tb"], in: scratch.url)
  #expect(exported.status == 0, "\(exported.error)")
  let folder = scratch.url.appendingPathComponent("tb").appendingPathComponent(run.lastPathComponent)
  let file = try Data(contentsOf: folder.appendingPathComponent("events.out.tfevents.0.tunetop"))
  #expect(file.count > 1000)
  // Exporting again replaces the run's file rather than adding a second one TensorBoard would merge.
  #expect(try CLI.run(["export", "--format", "tensorboard", "--out", "tb"], in: scratch.url).status == 0)
  #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
}
