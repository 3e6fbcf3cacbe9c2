import Foundation
import Yams

/// Reads the `config.yaml` of a run written by another trainer (PyTorch, Hugging Face, Lightning),
/// whose keys are that trainer's own: every scalar as `key=value`, nested maps as dotted keys.
public enum ForeignConfig {
  /// The settings in the file at `path`, sorted by key; empty when the file is missing or is not a
  /// YAML map, since a listing shows what it can and never fails on another program's file.
  public static func read(path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8),
      let root = (try? Yams.load(yaml: text)) as? [String: Any]
    else { return [] }
    var pairs: [String] = []
    flatten(root, prefix: "", into: &pairs)
    return pairs.sorted()
  }

  private static func flatten(_ map: [String: Any], prefix: String, into pairs: inout [String]) {
    for (key, value) in map {
      let name = prefix + key
      if let nested = value as? [String: Any] {
        flatten(nested, prefix: name + ".", into: &pairs)
      } else {
        pairs.append(name + "=" + describe(value))
      }
    }
  }

  private static func describe(_ value: Any) -> String {
    switch value {
    case let list as [Any]: "[" + list.map(describe).joined(separator: ",") + "]"
    case is NSNull: "null"
    case let text as String: text
    default: String(describing: value)
    }
  }
}
