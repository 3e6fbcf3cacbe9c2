extension ConfigKey {
  /// The known key a misspelt `name` most likely meant, or nil when nothing is close, so that the
  /// hint is offered only when it helps. Run-name tags (`lr`, `wd`) count as spellings of their key.
  static func suggestion(for name: String) -> ConfigKey? {
    let lowered = name.lowercased().replacingOccurrences(of: "-", with: "_")
    if let key = all.first(where: { $0.abbreviation == lowered || $0.name == lowered }) { return key }
    let scored = all.map { (key: $0, distance: editDistance(lowered, $0.name)) }
    guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
    return best.distance <= max(2, best.key.name.count / 3) ? best.key : nil
  }

  /// The whole message for an unknown key: a suggestion if one is close, otherwise the full list.
  static func unknownKeyError(_ name: String) -> ConfigError {
    let hint =
      suggestion(for: name).map { "did you mean \($0.name)?" }
      ?? "the keys are \(all.map(\.name).joined(separator: ", "))"
    return ConfigError(key: name, message: "unknown key \(name); \(hint)")
  }
}

/// Levenshtein distance over characters: insertions, deletions and substitutions each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
