import Foundation

extension ConfigKey {
  /// Parses and range-checks what a person typed (form, `--set`, a YAML scalar); lists are
  /// comma-separated, optionally in brackets, and empty text is the empty list.
  func parse(_ text: String) throws(ConfigError) -> ConfigValue {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    switch kind {
    case .rate, .real:
      guard let number = parseNumber(trimmed) else { throw typeError(text) }
      return try validated(.number(number), shown: trimmed)
    case .count:
      if acceptsAll, trimmed.lowercased() == "all" { return .integer(HyperParameters.allSamples) }
      guard let number = parseNumber(trimmed) else { throw typeError(text) }
      return try validated(.number(number), shown: trimmed)
    case .flag:
      switch trimmed.lowercased() {
      case "true", "yes", "on", "1": return .flag(true)
      case "false", "no", "off", "0": return .flag(false)
      default: throw typeError(text)
      }
    case .choice:
      // `one-cycle` and `Adam` are what people type; the canonical spelling is what is stored.
      let normalized = trimmed.lowercased().replacingOccurrences(of: "-", with: "_")
      return try validated(.text(normalized), shown: trimmed)
    case .text:
      return try validated(.text(trimmed), shown: trimmed)
    case .integerList, .nameList:
      var body = Substring(trimmed)
      if body.hasPrefix("["), body.hasSuffix("]"), body.count >= 2 {
        body = body.dropFirst().dropLast()
      }
      let items =
        body.trimmingCharacters(in: .whitespaces).isEmpty
        ? [] : body.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      return try parse(items: items, shown: trimmed.isEmpty ? "[]" : trimmed)
    }
  }

  /// Parses the elements of a list key; `shown` is the whole list as written, for messages.
  func parse(items: [String], shown: String) throws(ConfigError) -> ConfigValue {
    let items = items.map { $0.trimmingCharacters(in: .whitespaces) }
    switch kind {
    case .integerList:
      var values: [Int] = []
      for item in items {
        guard let number = parseNumber(item), number == number.rounded(), range?.contains(number) ?? true
        else { throw rangeError(shown) }
        values.append(Int(number))
      }
      return try validated(.integers(values), shown: shown)
    case .nameList:
      return try validated(.names(items), shown: shown)
    case .rate, .real, .count, .choice, .flag, .text:
      throw ConfigError(key: name, message: "\(name) must be \(typeName), got a list")
    }
  }

  /// Checks a value against the key's range and returns it in canonical form (counts as integers);
  /// `validate()` runs stored values through here too, so code and UI edits get the same messages.
  func validated(_ value: ConfigValue, shown: String) throws(ConfigError) -> ConfigValue {
    switch (kind, value) {
    case (.rate, .number(let number)), (.real, .number(let number)):
      guard range?.contains(number) ?? number.isFinite else { throw rangeError(shown) }
      return value
    case (.count, .integer(let count)):
      if acceptsAll, count == HyperParameters.allSamples { return value }
      return try validated(.number(Double(count)), shown: shown)
    case (.count, .number(let number)):
      guard number == number.rounded(), range?.contains(number) ?? true else { throw rangeError(shown) }
      return .integer(Int(number))
    case (.choice(let values), .text(let text)):
      guard values.contains(text) else { throw rangeError(shown) }
      return value
    case (.flag, .flag):
      return value
    case (.text, .text(let text)):
      guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ConfigError(key: name, message: "\(name) must not be empty")
      }
      return value
    case (.integerList, .integers(let values)):
      let inRange = values.allSatisfy { range?.contains(Double($0)) ?? true }
      guard inRange, length?.contains(values.count) ?? true else { throw rangeError(shown) }
      return value
    case (.nameList, .names(let names)):
      for name in names where !(allowedNames?.contains(name) ?? Self.isGroupName(name)) {
        throw ConfigError(
          key: self.name, message: "\(self.name) must be \(constraint), got \(quotedForMessage(name))")
      }
      var seen: Set<String> = []
      for name in names where !seen.insert(name).inserted {
        throw ConfigError(key: self.name, message: "\(self.name) lists \(name) more than once")
      }
      if let length, !length.contains(names.count) {
        throw ConfigError(
          key: self.name, message: "\(self.name) must list at least \(length.lowerBound), got none")
      }
      return value
    default:
      throw typeError(shown)
    }
  }

  /// Group names are identifiers (`hidden1`, `head`); anything else is a typo or a stray separator.
  static func isGroupName(_ name: String) -> Bool {
    guard let first = name.first, first.isASCII, first.isLetter else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
  }

  /// "must be an integer, got \"big\"": the text is not even of the right type.
  func typeError(_ text: String) -> ConfigError {
    ConfigError(key: name, message: "\(name) must be \(typeName), got \(quotedForMessage(text))")
  }

  /// "must be an integer in 1…4096, got 0.5": the right type, outside the valid values.
  func rangeError(_ shown: String) -> ConfigError {
    ConfigError(key: name, message: "\(name) must be \(constraint), got \(shown)")
  }

  /// `train_samples` also takes the word `all`, stored as `HyperParameters.allSamples`.
  var acceptsAll: Bool { name == "train_samples" }

  /// The only names a name list may hold, when it is not a list of layer groups (`lora_targets`).
  var allowedNames: [String]? { name == "lora_targets" ? LoRATarget.names : nil }
}
