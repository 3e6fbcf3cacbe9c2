import Foundation

/// A trained run's model rebuilt from one of its checkpoints, with its class names and what turns
/// raw inputs into what it reads: the entry point for tools that use a run's result
/// (`tunetop predict`, `tunetop export-model`).
///
/// ```
/// let trained = try TrainedModel.load(run: runURL, checkpoint: runURL.appendingPathComponent("best.safetensors"))
/// if let text = trained.text {
///   let logits = trained.model.forward(text.samples(["a small dog"]), indices: [0], training: false)
/// }
/// ```
/// A BERT run's checkpoint carries its encoder's config.json, the tokenizer's folder, pooling,
/// `max_seq_len` and class names in its metadata (`BertCheckpointInfo`); an MLP run's carries its
/// table preprocessing (or nothing, for the built-in digits).
public struct TrainedModel {
  /// The model with the checkpoint's weights, in evaluation use (call `forward` with
  /// `training: false`).
  public let model: any FineTunableModel
  /// The class of each head output, by index.
  public let classes: ClassLabels
  /// The run's settings (`config.yaml`), nil when the run directory has none.
  public let hyperParameters: HyperParameters?
  /// How a text run's inputs are made; nil for feature rows.
  public let text: TextInputs?
  /// How a CSV table run's rows become inputs; nil for text runs and the built-in digits.
  public let preprocessing: TablePreprocessing?

  /// Rebuilds the model of the run at `run` from `checkpoint` (any of its checkpoints: `best`,
  /// `last`, `checkpoints/epoch-N`). Throws naming the file when the checkpoint cannot be read or
  /// its tokenizer folder is gone.
  public static func load(run: URL, checkpoint: URL) throws -> TrainedModel {
    let file = try SafeTensors.read(from: checkpoint)
    let configURL = run.appendingPathComponent("config.yaml")
    let hyperParameters =
      FileManager.default.fileExists(atPath: configURL.path)
      ? try HyperParameters.load(path: configURL.path) : nil
    if let info = try BertCheckpointInfo(metadata: file.metadata, path: checkpoint.path) {
      try ModelCheckpointFormat.check(file, path: checkpoint.path, kind: "bert")
      let config = try BertConfig(json: Array(info.configJSON.utf8), path: checkpoint.path + " (bert_config)")
      let model = BertClassifier(config: config, classes: info.classes.count, pooling: info.pooling, seed: 0)
      try model.load(file, path: checkpoint.path)
      let tokenizer: BertTokenizer
      do {
        tokenizer = try BertTokenizer(folder: info.tokenizerFolder)
      } catch {
        throw CheckpointMismatchError(
          path: checkpoint.path,
          message: "the tokenizer it was trained with (\(info.tokenizerFolder.path)) cannot be read: \(error)"
        )
      }
      let text = TextInputs(
        tokenizer: tokenizer, tokenizerFolder: info.tokenizerFolder, maxSeqLen: info.maxSeqLen,
        pooling: info.pooling, config: config, configJSON: info.configJSON, classes: info.classes.count)
      return TrainedModel(
        model: model, classes: info.classes, hyperParameters: hyperParameters, text: text, preprocessing: nil)
    }
    let architecture = try MLPArchitecture(checkpoint: file, path: checkpoint.path)
    let model = MLP(
      inputSize: architecture.inputSize, hiddenSizes: architecture.hiddenSizes, classes: architecture.classes,
      dropout: 0, seed: 0)
    try model.load(file, path: checkpoint.path)
    let preprocessing = try TablePreprocessing.from(metadata: file.metadata, path: checkpoint.path)
    let classes =
      preprocessing.map(\.classes).flatMap { $0.count == architecture.classes ? $0 : nil }
      ?? ClassLabels.numbered(architecture.classes)
    return TrainedModel(
      model: model, classes: classes, hyperParameters: hyperParameters, text: nil,
      preprocessing: preprocessing)
  }
}

/// How a text run turns raw texts into what its encoder reads: the tokenizer it was trained with,
/// truncation to `maxSeqLen`, and the encoder's config (for `export-model`'s config.json).
public struct TextInputs {
  public let tokenizer: BertTokenizer
  /// The folder of vocab.txt and tokenizer_config.json, to copy next to an exported model.
  public let tokenizerFolder: URL
  public let maxSeqLen: Int
  public let pooling: BertPooling
  public let config: BertConfig
  /// config.json as the encoder was read from it.
  public let configJSON: String
  /// The head's width.
  public let classes: Int

  /// `texts` tokenized as in training, ready for `model.forward(_, indices:, training: false)`;
  /// their labels are placeholders (0).
  public func samples(_ texts: [String]) -> TextSamples {
    let dataset = TextDataset(
      texts: texts, labels: [Int](repeating: 0, count: texts.count), classes: ClassLabels.numbered(classes))
    return TextSamples(
      texts: dataset.tokenized(with: tokenizer, maxLength: maxSeqLen), classes: classes,
      paddingID: tokenizer.paddingID)
  }
}
