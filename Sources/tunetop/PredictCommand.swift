import ArgumentParser
import Foundation
import Training

/// `tunetop predict`: a trained run's class predictions and probabilities for new rows, as CSV.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract:
      "Predict classes for the rows of a CSV file (or the texts of a text run) with a trained run's model.",
    discussion: """
      Applies the run's own encodings and scaling. Writes the input's id column (if it has one), the \
      predicted class and one p_<class> probability column per class, in input order. Rows whose \
      features cannot be read are reported by line and get an empty prediction; --strict makes them an error. \
      A text run reads a CSV with a text column or JSON Lines with a "text" field; an empty text is such a row.
      """)

  @OptionGroup var trainedRun: TrainedRunOptions

  @Option(
    name: .long,
    help: ArgumentHelp("CSV file of rows to predict (a text run: CSV or JSONL of texts).", valueName: "file"))
  var input: String

  @Option(
    name: .long, help: ArgumentHelp("Write the CSV here instead of standard output.", valueName: "file"))
  var out: String?

  @Flag(name: .long, help: "Refuse the whole file when any row cannot be read.")
  var strict = false

  func run() throws {
    let (runURL, checkpointURL) = try failOnBadInput { try trainedRun.locate() }
    if TextPredictor.isTextCheckpoint(checkpointURL) {
      try predictTexts(run: runURL, checkpoint: checkpointURL)
      return
    }
    let (predictor, table, unreadable) = try failOnBadInput {
      () throws -> (Predictor, RawTable, [(row: Int, column: Int, cell: String)]) in
      let predictor = try Predictor(checkpoint: checkpointURL)
      let table = try predictor.read(path: input)
      let unreadable = try predictor.preprocessing.unreadableCells(table)
      if strict, !unreadable.isEmpty {
        for bad in unreadable.prefix(10) {
          FileHandle.standardError.write(Data("\(describe(bad, in: table))\n".utf8))
        }
        throw PredictError.unreadableRows(
          source: input, lines: Array(Set(unreadable.map { table.lines[$0.row] })).sorted())
      }
      return (predictor, table, unreadable)
    }
    for bad in unreadable.prefix(20) {
      FileHandle.standardError.write(Data("tunetop: \(describe(bad, in: table)); no prediction\n".utf8))
    }
    if unreadable.count > 20 {
      FileHandle.standardError.write(Data("tunetop: … \(unreadable.count - 20) more unreadable cells\n".utf8))
    }
    let probabilities = try failOnBadInput { try predictor.probabilities(table) }
    let idColumn = table.hasHeader ? table.names.firstIndex { $0.lowercased() == "id" } : nil
    let ids = idColumn.map { column in
      (name: table.names[column], values: (0..<table.rowCount).map { table.text(row: $0, column: column) })
    }
    var output = Data()
    PredictionWriter.csv(
      ids: ids, classes: predictor.preprocessing.classes.names, probabilities: probabilities,
      unreadable: Set(unreadable.map(\.row))
    ) { chunk in
      if out == nil {
        FileHandle.standardOutput.write(Data(chunk))
      } else {
        output.append(contentsOf: chunk)
      }
    }
    if let out {
      try failOnBadInput { try AtomicFile.write(output, to: URL(fileURLWithPath: out)) }
      FileHandle.standardError.write(Data("wrote \(table.rowCount) predictions to \(out)\n".utf8))
    }
  }

  private func describe(_ bad: (row: Int, column: Int, cell: String), in table: RawTable) -> String {
    "\(table.source):\(table.lines[bad.row]): column \(bad.column + 1) (\"\(table.names[bad.column])\") is \"\(bad.cell)\", which is not a number"
  }
}
