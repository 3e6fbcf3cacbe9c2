import Foundation

/// A text classification task ready to train: its texts tokenized by the base model's tokenizer
/// and split by class, as a table task is (`StratifiedSplit`), with the class names kept.
public struct TextTask {
  public var train: TextSamples
  public var validation: TextSamples
  public var test: TextSamples
  public var classes: ClassLabels
  /// Class names and rows per class of each split, for `summary.json` and the start of a run.
  public var report: TableReport
  /// Per-class weights of the training loss (`class_weights: balanced`).
  public var classWeights: [Float]?
  /// Real tokens in all three splits, and how many texts `max_seq_len` cut short.
  public var tokenCount: Int
  public var truncatedTexts: Int

  /// Whether `task` names a text task: the built-in `wordnet-nouns`, a `.jsonl` file, or a `.csv`
  /// file whose header has a `text` column. Anything else is a table of numbers (or a digits task).
  public static func isText(_ task: String) -> Bool {
    if BuiltInTextTask(rawValue: task) != nil { return true }
    let kind = URL(fileURLWithPath: task).pathExtension.lowercased()
    if kind == "jsonl" { return true }
    guard kind == "csv", let header = firstLine(of: task) else { return false }
    return header.split(separator: ",", omittingEmptySubsequences: false).contains {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' \t\r\u{FEFF}")).lowercased() == "text"
    }
  }

  /// The first line of a file, reading at most 64 KiB; nil when it cannot be read.
  private static func firstLine(of path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 65_536) else { return nil }
    let line = data.prefix { $0 != UInt8(ascii: "\n") }
    return String(decoding: line, as: UTF8.self)
  }

  /// Reads `hp.task`, tokenizes every text with `tokenizer` truncated to `hp.maxSeqLen`, and
  /// splits it by class. `baseClasses` are the classes of a base model whose head is kept (a
  /// fork): the task's labels are read as those names.
  public static func load(
    _ hp: HyperParameters, tokenizer: BertTokenizer, baseClasses: ClassLabels? = nil
  ) throws -> TextTask {
    for (key, value) in [("val_task", hp.valTask), ("test_task", hp.testTask)] where value != "none" {
      throw ConfigError(
        key: key,
        message:
          "\(key) applies to numeric tables; a text task (\(hp.task)) splits its validation and test sets off itself, so set \(key): none"
      )
    }
    let dataset: TextDataset
    if let builtIn = BuiltInTextTask(rawValue: hp.task) {
      dataset = try TextDataset.builtIn(builtIn)
    } else {
      guard FileManager.default.fileExists(atPath: hp.task) else {
        throw ConfigError(
          key: "task",
          message:
            "no such file \(hp.task); use a built-in task (\((PreparedRun.builtInTasks + BuiltInTextTask.allCases.map(\.rawValue)).joined(separator: ", "))) or the path of a CSV or JSONL file"
        )
      }
      dataset = try TextDataset.load(path: hp.task)
    }
    var classes = dataset.classes
    var labels = dataset.labels
    if let baseClasses, baseClasses != classes {
      labels = try dataset.labels.map { label in
        let name = dataset.classes.names[label]
        guard let index = baseClasses.names.firstIndex(of: name) else {
          throw ConfigError(
            key: ConfigKey.resetHead.name,
            message:
              "the task has class \(name), which the base model's head (\(baseClasses.names.joined(separator: ", "))) does not; set reset_head: true to start a new head"
          )
        }
        return index
      }
      classes = baseClasses
    }
    guard Set(labels).count >= 2 else {
      throw ConfigError(
        key: "task",
        message: "\(hp.task) has one class (\(classes.names[labels[0]])); a classifier needs two or more")
    }
    let relabelled = TextDataset(texts: dataset.texts, labels: labels, classes: classes)
    let tokenized = relabelled.tokenized(with: tokenizer, maxLength: hp.maxSeqLen)
    let rows = try StratifiedSplit.indices(
      labels: labels, classes: classes.count, valFraction: hp.valFraction, trainSamples: hp.trainSamples,
      seed: hp.seed, separateValidation: false, separateTest: false)
    func split(_ rows: [Int]) -> TextSamples {
      TextSamples(texts: tokenized.subset(rows), classes: classes.count, paddingID: tokenizer.paddingID)
    }
    let (train, validation, test) = (split(rows.train), split(rows.validation), split(rows.test))
    let trainCounts = TableReport.counts(train.labels, classes: classes.count)
    var weights: [Float]? = nil
    if hp.classWeights == "balanced" {
      // n / (K · n_c), as for tables (scikit-learn's "balanced"); an absent class weighs 1.
      weights = trainCounts.map {
        $0 > 0 ? Float(Double(train.count) / (Double(classes.count) * Double($0))) : 1
      }
    }
    let report = TableReport(
      classes: classes.names, trainCounts: trainCounts,
      validationCounts: TableReport.counts(validation.labels, classes: classes.count),
      testCounts: TableReport.counts(test.labels, classes: classes.count), imputed: [:], oneHot: [:],
      normalize: "none", scalingSource: "none (text, tokenized to at most \(hp.maxSeqLen) tokens)",
      classWeights: weights)
    var truncated = 0
    for index in 0..<tokenized.count where tokenized.length(index) == hp.maxSeqLen {
      truncated += 1
    }
    return TextTask(
      train: train, validation: validation, test: test, classes: classes, report: report,
      classWeights: weights, tokenCount: tokenized.ids.count, truncatedTexts: truncated)
  }

  /// What `tunetop train` prints before a text run starts.
  public var startLines: String {
    let texts = train.count + validation.count + test.count
    let mean = Double(tokenCount) / Double(max(1, texts))
    return [
      "classes (train/validation/test texts): \(report.countsLine)",
      "tokens: \(String(format: "%.1f", mean)) per text on average, \(truncatedTexts) of \(texts) texts reach max_seq_len \(train.texts.maxLength)",
    ].joined(separator: "\n")
  }
}
