import Foundation

/// A Hugging Face BERT model folder (`config.json`, `model.safetensors`, `vocab.txt`), checked and
/// read: the starting point of fine-tuning a pretrained encoder.
public struct BertModelFolder: Sendable {
  public let directory: URL
  public let config: BertConfig
  public let weights: SafeTensorsFile
  public var configURL: URL { directory.appendingPathComponent("config.json") }
  public var weightsURL: URL { directory.appendingPathComponent("model.safetensors") }
  /// The WordPiece vocabulary, one token a line; its presence is checked here, its parsing is
  /// the tokenizer's.
  public var vocabularyURL: URL { directory.appendingPathComponent("vocab.txt") }

  /// Integer buffers some checkpoints save next to the weights; Hugging Face ignores them too.
  static let ignoredTensors: Set<String> = ["embeddings.position_ids", "bert.embeddings.position_ids"]

  /// Checks that the three files exist, then reads the config and the weights (F32, F16 or BF16).
  public init(directory: URL) throws(ModelFolderError) {
    self.directory = directory
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw ModelFolderError(
        path: directory.path, message: "is not a folder; expected a Hugging Face model folder")
    }
    let required = ["config.json", "model.safetensors", "vocab.txt"]
    for name in required
    where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
      var hint = ""
      if name == "model.safetensors",
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path)
      {
        hint = " (the folder has pytorch_model.bin; convert it with safetensors' save_file)"
      }
      throw ModelFolderError(
        path: directory.path,
        message: "has no \(name)\(hint); a model folder needs \(required.joined(separator: ", "))")
    }
    config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
    do {
      weights = try SafeTensors.read(
        from: directory.appendingPathComponent("model.safetensors"), skipping: Self.ignoredTensors)
    } catch {
      throw ModelFolderError(path: error.source, message: error.problem.message)
    }
  }
}

extension BertClassifier {
  /// A model shaped by the folder's config with its pretrained encoder weights (and pooler, with
  /// `cls` pooling); the classifier is freshly drawn for the new task.
  public convenience init(folder: BertModelFolder, classes: Int, pooling: BertPooling, seed: UInt64)
    throws(ModelFolderError)
  {
    self.init(config: folder.config, classes: classes, pooling: pooling, seed: seed)
    try loadPretrained(folder)
  }

  /// Loads every encoder tensor (and the pooler with `cls` pooling) from the folder's weights.
  /// A missing tensor or a shape that disagrees with config.json is an error naming both.
  public func loadPretrained(_ folder: BertModelFolder) throws(ModelFolderError) {
    let path = folder.weightsURL.path
    var found: [(Int, NamedTensor)] = []
    for index in store.tensors.indices {
      let expected = store.tensors[index]
      if expected.name.hasPrefix("classifier.") { continue }
      do {
        found.append((index, try BertClassifier.tensor(expected, in: folder.weights, path: path)))
      } catch let error as CheckpointMismatchError {
        throw ModelFolderError(path: path, message: error.message)
      } catch {
        throw ModelFolderError(path: path, message: "\(error)")
      }
    }
    for (index, tensor) in found { store.setValues(tensor.values, of: index) }
  }
}
