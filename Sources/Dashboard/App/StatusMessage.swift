/// A one-line note to the user on the message line: what just happened or what went wrong.
public struct StatusMessage: Equatable, Sendable {
  /// How the message is coloured.
  public enum Kind: Sendable, Equatable {
    case info, success, warning, error
  }

  public var text: String
  public var kind: Kind

  public init(_ text: String, _ kind: Kind = .info) {
    self.text = text
    self.kind = kind
  }

  var role: ColorRole {
    switch kind {
    case .info: .text
    case .success: .good
    case .warning: .warning
    case .error: .error
    }
  }
}
