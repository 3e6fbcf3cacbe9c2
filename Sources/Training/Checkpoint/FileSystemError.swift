import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed file-system call, naming the path and the operating system's reason.
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What was being attempted, e.g. "create a temporary file in".
  public var operation: String
  public var path: String
  /// The `errno` of the failed call.
  public var code: Int32

  public init(operation: String, path: String, code: Int32) {
    self.operation = operation
    self.path = path
    self.code = code
  }

  /// The `strerror` text, e.g. "Permission denied".
  public var reason: String { String(cString: strerror(code)) }

  public var description: String { "cannot \(operation) \(path): \(reason)" }
}
