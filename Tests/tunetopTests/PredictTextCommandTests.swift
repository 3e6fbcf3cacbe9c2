import Foundation
import Testing

@testable import Training

/// `tunetop predict` on a text run, as a user runs it: a short run on a tiny random BERT folder made
/// here, then CSV and JSONL inputs, an empty text, and the refusals (exit 2, nothing written).
@Suite struct PredictTextCommandTests {
  @Test func predictsTextsInInputOrderAndRefusesBadInputWritingNothing() throws {
    let scratch = Scratch()
    let (folder, csv) = try TinyBert.textTask(in: scratch)
    let train = try CLI.run(
      [
        "train", "--runs", "runs", "--name", "words", "--set", "task=\(csv.path)", "--set",
        "base_model=\(folder.path)", "--set", "epochs=1", "--set", "warmup_epochs=0", "--set",
        "max_seq_len=8",
        "--set", "batch_size=8",
      ], in: scratch.url)
    #expect(train.status == 0, "\(train.error)")

    func write(_ name: String, _ content: String) throws {
      try content.write(to: scratch.url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let texts = ["w0 w5 w4", "w1 w9 w5 w7 w8 w3 w2", "w0", "w1 w20 w5"]
    try write(
      "new.csv",
      "id,text\n" + texts.enumerated().map { "t\($0.offset),\($0.element)" }.joined(separator: "\n")
        + "\n\"t,4\",\" \"\n")
    let predicted = try CLI.run(["predict", "--run", "words", "--input", "new.csv"], in: scratch.url)
    #expect(predicted.status == 0, "\(predicted.error)")
    let lines = predicted.output.split(separator: "\n").map(String.init)
    #expect(lines.first == "id,predicted,p_even,p_odd")
    #expect(lines.count == 6)
    #expect(lines.last == "\"t,4\",,,")
    #expect(predicted.error.contains("new.csv:6: the text is empty; no prediction"))

    // The same rows as the library's own prediction on the run's best checkpoint.
    let run = try RunLocator(runs: scratch.url.appendingPathComponent("runs")).locate("words")
    let checkpoint = run.appendingPathComponent("best.safetensors")
    let predictor = try TextPredictor(TrainedModel.load(run: run, checkpoint: checkpoint), checkpointPath: "")
    let expected = predictor.probabilities(texts)
    for (row, text) in texts.enumerated() {
      let fields = lines[row + 1].split(separator: ",").map(String.init)
      #expect(fields.count == 4, "\(text)")
      #expect(fields[0] == "t\(row)")
      let p = [try #require(Float(fields[2])), try #require(Float(fields[3]))]
      #expect(abs(p[0] + p[1] - 1) < 2e-6)
      #expect(abs(p[0] - expected[row, 0]) < 1e-6 && abs(p[1] - expected[row, 1]) < 1e-6)
      #expect(fields[1] == (expected[row, 0] >= expected[row, 1] ? "even" : "odd"))
    }

    try write("new.jsonl", texts.map { "{\"text\": \"\($0)\"}" }.joined(separator: "\n") + "\n")
    let jsonl = try CLI.run(
      ["predict", "--run", "words", "--input", "new.jsonl", "--out", "p.csv"], in: scratch.url)
    #expect(jsonl.status == 0, "\(jsonl.error)")
    let written = try String(contentsOf: scratch.url.appendingPathComponent("p.csv"), encoding: .utf8)
    #expect(written.hasPrefix("predicted,p_even,p_odd\n"))
    let writtenRows: [String] = written.split(separator: "\n").dropFirst().map(String.init)
    // The CSV's rows without their id column.
    let csvRows: [String] = lines[1...texts.count].map { line in String(line.drop { $0 != "," }.dropFirst()) }
    #expect(writtenRows == csvRows)

    try write("noText.csv", "id,body\n1,w0\n")
    try write("bad.jsonl", "{\"text\": \"w0\"}\n{\"text\": 3}\n")
    for (arguments, message) in [
      (
        ["--input", "new.csv", "--strict"],
        "new.csv: 1 rows cannot be read (lines 6); with --strict nothing is predicted"
      ),
      (["--input", "noText.csv"], "noText.csv:1: the header has no text column; it has: id, body"),
      (["--input", "bad.jsonl"], "bad.jsonl:2: is not a JSON object: \"text\" is not a string"),
      (["--input", "none.csv"], "none.csv"),
    ] {
      let result = try CLI.run(["predict", "--run", "words", "--out", "q.csv"] + arguments, in: scratch.url)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.error.contains(message), "\(result.error)")
      #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("q.csv").path))
    }
  }
}
