/// A Hugging Face model folder that tunetop cannot load: names the file, the key or tensor, the
/// bad value and what is valid. The CLI exits 2 on it.
public struct ModelFolderError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file at fault (or the folder, for a missing file).
  public var path: String
  public var message: String

  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}
