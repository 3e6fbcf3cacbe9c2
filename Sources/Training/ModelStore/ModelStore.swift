import Foundation

/// The folder where downloaded models live, and how a model reference (`minilm` or a folder) resolves.
///
/// The folder is `$TUNETOP_CACHE/models` when TUNETOP_CACHE is set, else `$XDG_CACHE_HOME/tunetop/models`,
/// else `~/.cache/tunetop/models`.
public struct ModelStore: Sendable {
  public let root: URL

  public init(root: URL) {
    self.root = root
  }

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    if let cache = environment["TUNETOP_CACHE"], !cache.isEmpty {
      root = URL(fileURLWithPath: cache, isDirectory: true).appendingPathComponent(
        "models", isDirectory: true)
    } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
      root = URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent(
        "tunetop/models", isDirectory: true)
    } else {
      let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
      root = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(
        ".cache/tunetop/models", isDirectory: true)
    }
  }

  /// Where a known model is (or would be) installed.
  public func folder(for model: KnownModel) -> URL {
    root.appendingPathComponent(model.name, isDirectory: true)
  }

  /// The folder of a model reference: a known model's installed folder, or any existing folder as is.
  /// The error for a known model that is missing names the command that fetches it.
  public func resolve(_ reference: String) throws(ModelStoreError) -> URL {
    var isDirectory: ObjCBool = false
    if let model = KnownModel.named(reference) {
      let folder = folder(for: model)
      let weights = folder.appendingPathComponent("model.safetensors").path
      guard FileManager.default.fileExists(atPath: weights) else {
        throw .notDownloaded(reference: reference, folder: folder.path, command: model.fetchCommand)
      }
      return folder
    }
    let expanded = (reference as NSString).expandingTildeInPath
    guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw .noSuchFolder(reference: reference)
    }
    return URL(fileURLWithPath: expanded, isDirectory: true)
  }
}
