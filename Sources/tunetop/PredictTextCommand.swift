import Foundation
import Training

extension PredictCommand {
  /// `predict` on a text run: reads the texts, reports empty ones by line (refused with --strict),
  /// writes the same columns as on a table run.
  func predictTexts(run runURL: URL, checkpoint checkpointURL: URL) throws {
    let (predictor, texts) = try failOnBadInput { () throws -> (TextPredictor, TextPredictionInput) in
      let trained = try TrainedModel.load(run: runURL, checkpoint: checkpointURL)
      let predictor = try TextPredictor(trained, checkpointPath: checkpointURL.path)
      let texts = try TextPredictionInput.read(path: input)
      if strict, !texts.emptyRows.isEmpty {
        for row in texts.emptyRows.prefix(10) {
          FileHandle.standardError.write(
            Data("\(texts.source):\(texts.lines[row]): the text is empty\n".utf8))
        }
        throw PredictError.unreadableRows(
          source: texts.source, lines: texts.emptyRows.map { texts.lines[$0] })
      }
      return (predictor, texts)
    }
    for row in texts.emptyRows.prefix(20) {
      FileHandle.standardError.write(
        Data("tunetop: \(texts.source):\(texts.lines[row]): the text is empty; no prediction\n".utf8))
    }
    if texts.emptyRows.count > 20 {
      FileHandle.standardError.write(Data("tunetop: … \(texts.emptyRows.count - 20) more empty texts\n".utf8))
    }
    let empty = Set(texts.emptyRows)
    let predicted = (0..<texts.texts.count).filter { !empty.contains($0) }
    let probabilities = predictor.probabilities(predicted.map { texts.texts[$0] })
    // Back to one row per input row; an empty text's row stays zero and is written empty.
    let classes = predictor.trained.classes.names
    var all = Matrix(rows: texts.texts.count, cols: classes.count)
    for (position, row) in predicted.enumerated() {
      for k in 0..<classes.count { all[row, k] = probabilities[position, k] }
    }
    var output = Data()
    PredictionWriter.csv(ids: texts.ids, classes: classes, probabilities: all, unreadable: empty) { chunk in
      if out == nil {
        FileHandle.standardOutput.write(Data(chunk))
      } else {
        output.append(contentsOf: chunk)
      }
    }
    if let out {
      try failOnBadInput { try AtomicFile.write(output, to: URL(fileURLWithPath: out)) }
      FileHandle.standardError.write(Data("wrote \(texts.texts.count) predictions to \(out)\n".utf8))
    }
  }
}
