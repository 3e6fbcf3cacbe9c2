import Foundation

/// Reads only a safetensors file's header metadata, without reading its tensors.
enum SafeTensorsHeader {
  static func metadata(path: String) -> [String: String]? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
    var length: UInt64 = 0
    for byte in prefix.reversed() { length = length << 8 | UInt64(byte) }
    guard length < 100_000_000, let header = try? handle.read(upToCount: Int(length)),
      header.count == Int(length), case .object(let pairs)? = try? HeaderJSON.parse([UInt8](header)),
      case .object(let entries)? = pairs.first(where: { $0.key == "__metadata__" })?.value
    else { return nil }
    var metadata: [String: String] = [:]
    for (key, value) in entries {
      if case .string(let text) = value { metadata[key] = text }
    }
    return metadata
  }
}
