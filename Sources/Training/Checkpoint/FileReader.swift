import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads whole files with POSIX calls, so errors carry the plain OS reason ("No such file or
/// directory") that Foundation's reading errors hide on Linux.
enum FileReader {
  static func contents(of path: String) throws(FileSystemError) -> Data {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
    defer { _ = close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileSystemError(operation: "inspect", path: path, code: errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      throw FileSystemError(operation: "read", path: path, code: EISDIR)
    }

    var data = Data(capacity: max(Int(info.st_size), 0))
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw FileSystemError(operation: "read", path: path, code: errno)
      }
      if count == 0 { return data }
      data.append(contentsOf: chunk[..<count])
    }
  }
}
