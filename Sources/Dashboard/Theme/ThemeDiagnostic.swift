/// A problem found in a theme file, located by `file:line` like a compiler message.
public struct ThemeDiagnostic: Equatable, Sendable, CustomStringConvertible {
  public var file: String
  /// 1-based line number, or nil when the problem concerns the whole file.
  public var line: Int?
  public var message: String

  public init(file: String, line: Int?, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Why a theme file could not be used; every problem is listed, each with its `file:line`.
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
  public var diagnostics: [ThemeDiagnostic]

  public init(_ diagnostics: [ThemeDiagnostic]) { self.diagnostics = diagnostics }

  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
