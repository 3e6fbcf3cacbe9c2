import Foundation
import Testing

@testable import Training

/// `TextPredictor` and `TextPredictionInput` on a short run of the tiny random BERT task.
@Suite struct TextPredictTests {
  /// A two-epoch text run on `TinyTextTask`, rebuilt from its best checkpoint.
  func trainedRun(_ task: TinyTextTask) throws -> (url: URL, predictor: TextPredictor) {
    let prepared = try PreparedRun.prepare(try task.settings(["epochs=2"]))
    let directory = try RunDirectory(
      root: task.scratch.url, name: "text", hyperParameters: prepared.hyperParameters)
    let url = directory.url
    #expect(Trainer(prepared, directory: directory).runOnThisThread().status == .completed)
    let checkpoint = url.appendingPathComponent("best.safetensors")
    #expect(TextPredictor.isTextCheckpoint(checkpoint))
    let trained = try TrainedModel.load(run: url, checkpoint: checkpoint)
    return (url, try TextPredictor(trained, checkpointPath: checkpoint.path))
  }

  @Test func probabilitiesMatchTheModelsOwnForwardInInputOrder() throws {
    let task = try TinyTextTask()
    let (_, predictor) = try trainedRun(task)
    #expect(predictor.trained.classes.names == TinyTextTask.classes)
    // Lengths vary, so the length-sorted batches differ from the input order.
    let texts = [
      "W5 w51 W7 w52 W9 w50 W6, end", "W15", "W25 w55 W27, end", "w50 w51", "W12 w53 W18 w54, end",
      String(repeating: "W21 ", count: 30), "W8 w59",
    ]
    let probabilities = predictor.probabilities(texts, batchSize: 3)
    #expect(probabilities.rows == texts.count && probabilities.cols == 3)
    let samples = predictor.text.samples(texts)
    let all = Array(0..<texts.count)[...]
    let logits = predictor.trained.model.forward(samples, indices: all, training: false)
    var predictedClasses = Set<Int>()
    for row in 0..<texts.count {
      let p = (0..<3).map { probabilities[row, $0] }
      #expect(abs(p.reduce(0, +) - 1) < 1e-5)
      let l = (0..<3).map { logits[row, $0] }
      let argmax = l.indices.max { l[$0] < l[$1] }!
      #expect(p.indices.max { p[$0] < p[$1] }! == argmax, "row \(row)")
      predictedClasses.insert(argmax)
      // softmax(logits) computed here, independently of the batching.
      let top = l.max()!
      let exps = l.map { exp(Double($0 - top)) }
      for k in 0..<3 { #expect(abs(Double(p[k]) - exps[k] / exps.reduce(0, +)) < 1e-5) }
    }
    // One at a time gives the same as batched.
    let single = predictor.probabilities([texts[2]], batchSize: 1)
    for k in 0..<3 { #expect(abs(single[0, k] - probabilities[2, k]) < 1e-5) }
  }

  @Test func inputKeepsIdsLinesAndEmptyTextsAndRefusesBadFilesByLine() throws {
    let scratch = ScratchDirectory()
    func write(_ name: String, _ content: String) throws -> String {
      let url = scratch.url.appendingPathComponent(name)
      try content.write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let csv = try read(write("a.csv", "ID,Text,other\n7,\"two\nlines\",x\n\n8,  ,y\n\"9,1\",W5,z\n"))
    #expect(csv.texts == ["two\nlines", "  ", "W5"])
    #expect(csv.lines == [2, 5, 6])
    #expect(csv.ids?.name == "ID" && csv.ids?.values == ["7", "8", "9,1"])
    #expect(csv.emptyRows == [1])

    let noID = try read(write("b.csv", "text\nW5\n"))
    #expect(noID.ids == nil && noID.texts == ["W5"])

    let jsonl = try read(
      write(
        "c.jsonl", "{\"text\": \"W5\", \"id\": 3}\n\n{\"text\": \"\"}\n{\"id\": \"x\", \"text\": \"w1\"}\n"))
    #expect(jsonl.texts == ["W5", "", "w1"] && jsonl.lines == [1, 3, 4])
    #expect(jsonl.ids?.values == ["3", "", "x"] && jsonl.emptyRows == [1])

    let bad: [(String, String, String)] = [
      ("d.csv", "id,label\n1,a\n", "d.csv:1: the header has no text column; it has: id, label"),
      ("e.csv", "text,id\nW5,1\nW6\n", "e.csv:3: the row has 1 fields; the header has 2"),
      ("f.csv", "text\n\"W5\nW6\n", "f.csv:2: a quoted field opened here is never closed"),
      ("g.jsonl", "{\"text\": \"W5\"}\n{\"id\": 2}\n", "g.jsonl:2: has no \"text\" field"),
      (
        "h.jsonl", "{\"text\": \"W5\"}\n{\"text\": 5}\n",
        "h.jsonl:2: is not a JSON object: \"text\" is not a string"
      ),
      ("i.jsonl", "{\"text\": \"W5\"}\nnot json\n", "i.jsonl:2: is not a JSON object"),
      ("j.csv", "text\n", "j.csv: has no rows"),
      ("k.txt", "text\nW5\n", "k.txt: a text run predicts on a .csv or .jsonl file, not .txt"),
    ]
    for (name, content, message) in bad {
      let path = try write(name, content)
      #expect(throws: (any Error).self, "\(name)") { try TextPredictionInput.read(path: path) }
      do {
        _ = try TextPredictionInput.read(path: path)
      } catch {
        #expect("\(error)".contains(message), "\(error)")
        #expect("\(error)".hasPrefix(path), "\(error)")
      }
    }
    let missing = scratch.url.appendingPathComponent("none.csv").path
    #expect(throws: TextDatasetError.self) { try TextPredictionInput.read(path: missing) }
  }

  private func read(_ path: String) throws -> TextPredictionInput { try TextPredictionInput.read(path: path) }
}
