import Foundation

/// A trained run's model with the preprocessing it was trained with, turning table rows into
/// class probabilities: what `tunetop predict` runs.
public final class Predictor {
  public let model: MLP
  public let preprocessing: TablePreprocessing
  /// The checkpoint file the weights came from.
  public let checkpointPath: String

  /// Threads sharing the rows of a prediction: the machine's cores, at most 8 (chunks are
  /// independent, so they split without any hand-off per chunk).
  public var threads = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))

  /// Which of a run's checkpoints to load: `best`, `last`, or `epoch-N` (a kept epoch).
  public static func checkpointURL(run: URL, choice: String) throws -> URL {
    let directory = try RunDirectory(existing: run)
    let url: URL
    switch choice {
    case "best": url = directory.bestCheckpointURL
    case "last": url = directory.lastCheckpointURL
    default:
      guard choice.hasPrefix("epoch-"), let epoch = Int(choice.dropFirst(6)), epoch >= 0 else {
        throw PredictError.badCheckpointChoice(choice)
      }
      url = directory.historyCheckpointURL(epoch: epoch)
    }
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw RunDirectoryError(path: url.path, reason: "missing; the run has no \(choice) checkpoint")
    }
    return url
  }

  /// A model already in memory, e.g. for benchmarks.
  public init(model: MLP, preprocessing: TablePreprocessing, checkpointPath: String = "<memory>") {
    self.model = model
    self.preprocessing = preprocessing
    self.checkpointPath = checkpointPath
  }

  public init(checkpoint url: URL) throws {
    let file = try SafeTensors.read(from: url)
    let architecture = try MLPArchitecture(checkpoint: file, path: url.path)
    model = MLP(
      inputSize: architecture.inputSize, hiddenSizes: architecture.hiddenSizes, classes: architecture.classes,
      dropout: 0, seed: 0)
    try model.load(file, path: url.path)
    checkpointPath = url.path
    // A run of the built-in task stores no preprocessing: its rows are digits.csv's 64 pixels in 0…16.
    preprocessing =
      try TablePreprocessing.from(metadata: file.metadata, path: url.path)
      ?? .digits(classes: architecture.classes, inputs: architecture.inputSize)
    guard preprocessing.inputCount == architecture.inputSize,
      preprocessing.classes.count == architecture.classes
    else {
      throw CheckpointMismatchError(
        path: url.path,
        message:
          "the stored preprocessing gives \(preprocessing.inputCount) inputs and \(preprocessing.classes.count) classes but the model takes \(architecture.inputSize) and has \(architecture.classes)"
      )
    }
  }

  /// Reads a file to predict on: feature columns by name (or position), an `id` column kept as text,
  /// a label column if present (ignored).
  public func read(path: String) throws -> RawTable {
    let preprocessing = self.preprocessing
    return try TableReader.read(path: path) { names, hasHeader in
      var text = Set<Int>()
      if hasHeader {
        for (index, name) in names.enumerated() {
          let lower = name.lowercased()
          if lower == "id" || name == preprocessing.labelColumn || lower == "label" { text.insert(index) }
          if let feature = preprocessing.features.first(where: { $0.name == name }), feature.categories != nil
          {
            text.insert(index)
          }
        }
      } else {
        for feature in preprocessing.features where feature.categories != nil {
          text.insert(feature.position)
        }
        if names.count > preprocessing.features.count { text.insert(names.count - 1) }
      }
      return text
    }
  }

  /// Class probabilities, one row per table row, `classes` columns each summing to 1.
  public func probabilities(_ table: RawTable) throws -> Matrix {
    let inputs = try preprocessing.encode(table)
    return probabilities(inputs: inputs)
  }

  /// Softmax of the model's logits for already encoded and scaled inputs, through the forward-only
  /// path (`MLPInference`) with the rows shared by `threads` threads.
  public func probabilities(inputs: Matrix) -> Matrix {
    MLPInference(model).probabilities(inputs: inputs, threads: threads)
  }
}

/// Bad input to `tunetop predict` beyond the CSV itself.
public enum PredictError: Error, CustomStringConvertible, Equatable {
  case badCheckpointChoice(String)
  case unreadableRows(source: String, lines: [Int])

  public var description: String {
    switch self {
    case .badCheckpointChoice(let choice):
      return "--checkpoint is \(choice); expected best, last or epoch-N (a kept epoch such as epoch-7)"
    case .unreadableRows(let source, let lines):
      let shown = lines.prefix(10).map(String.init).joined(separator: ", ") + (lines.count > 10 ? ", …" : "")
      return
        "\(source): \(lines.count) rows cannot be read (lines \(shown)); with --strict nothing is predicted"
    }
  }
}

extension TablePreprocessing {
  /// The built-in digits task as a table: 64 pixel columns in 0…16 (digits.csv's scale), by position.
  public static func digits(classes: Int, inputs: Int) -> TablePreprocessing {
    TablePreprocessing(
      labelColumn: "label", classes: .numbered(classes),
      features: (0..<inputs).map { Feature(name: "column\($0 + 1)", position: $0, mean: 0) },
      normalize: .none,
      offsets: Array(repeating: 0, count: inputs), scales: Array(repeating: 16, count: inputs))
  }
}
