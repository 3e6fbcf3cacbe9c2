/// Why a tokenizer folder could not be loaded: the file (and line, where there is one) and what is wrong.
public struct TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What is wrong with the file.
  public enum Problem: Equatable, Sendable {
    case missingFile
    case unreadable(reason: String)
    case notUTF8
    case emptyVocabulary
    case missingSpecialToken(role: String, token: String)
    case invalidJSON(reason: String)
    case invalidValue(key: String, value: String, expected: String)
  }

  public let path: String
  public let line: Int?
  public let problem: Problem

  public init(path: String, line: Int? = nil, problem: Problem) {
    self.path = path
    self.line = line
    self.problem = problem
  }

  public var description: String {
    let place = line.map { "\(path):\($0)" } ?? path
    switch problem {
    case .missingFile:
      return
        "\(place): no such file; a BERT tokenizer folder needs vocab.txt (and optionally tokenizer_config.json)"
    case .unreadable(let reason):
      return "\(place): cannot be read: \(reason)"
    case .notUTF8:
      return "\(place): is not valid UTF-8"
    case .emptyVocabulary:
      return "\(place): has no tokens; expected one WordPiece token per line"
    case .missingSpecialToken(let role, let token):
      return "\(place): has no \(role) token \"\(token)\"; expected it on a line of its own"
    case .invalidJSON(let reason):
      return "\(place): is not a JSON object: \(reason)"
    case .invalidValue(let key, let value, let expected):
      return "\(place): \(key) is \(value); expected \(expected)"
    }
  }
}
