import Foundation

/// One model folder in the store, as `tunetop models list` shows it.
public struct StoredModel: Equatable, Sendable {
  public let name: String
  public let folder: URL
  /// Bytes of all files in the folder.
  public let size: Int64
  /// Parameters counted from model.safetensors' header, nil when there is none or it is unreadable.
  public let parameters: Int?
  /// The known model stored under this name, if any.
  public let known: KnownModel?
}

/// Lists the models in a store.
public enum ModelCatalog {
  /// Every folder in the store (hidden staging folders excluded), sorted by name.
  public static func list(_ store: ModelStore) -> [StoredModel] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: store.root.path)) ?? []
    return names.sorted().compactMap { name in
      guard !name.hasPrefix(".") else { return nil }
      let folder = store.root.appendingPathComponent(name, isDirectory: true)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory),
        isDirectory.boolValue
      else { return nil }
      return StoredModel(
        name: name, folder: folder, size: size(of: folder),
        parameters: parameterCount(safetensors: folder.appendingPathComponent("model.safetensors")),
        known: KnownModel.all.first { $0.name == name })
    }
  }

  static func size(of folder: URL) -> Int64 {
    var total: Int64 = 0
    let enumerator = FileManager.default.enumerator(
      at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
      let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
      if values?.isRegularFile == true { total += Int64(values?.fileSize ?? 0) }
    }
    return total
  }

  /// Sums the element counts in a safetensors header, reading only the header.
  public static func parameterCount(safetensors url: URL) -> Int? {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
    defer { try? handle.close() }
    guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
    let headerLength = prefix.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerLength < 100_000_000, let header = try? handle.read(upToCount: Int(headerLength)),
      let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
    else { return nil }
    var total = 0
    for (key, value) in object where key != "__metadata__" {
      guard let shape = (value as? [String: Any])?["shape"] as? [Int] else { return nil }
      total += shape.reduce(1, *)
    }
    return total
  }
}
