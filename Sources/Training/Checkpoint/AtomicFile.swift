import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Crash-safe file writes, so a killed run never leaves a half-written checkpoint or a torn log line.
public enum AtomicFile {
  /// Replaces the file at `url` with `data` so that readers see either the old or the new content.
  ///
  /// The data goes to a uniquely named temporary file in the same directory (a rename is atomic only
  /// within one file system), is flushed with `fsync`, and is renamed over the target; the directory
  /// is then flushed so that the rename itself survives a power loss.
  ///
  /// With `durable: false` both flushes are skipped: the rename still makes the replacement atomic
  /// for every other process, and a killed process loses nothing (the page cache outlives it); only
  /// a power loss can roll the file back to an older complete version. Per-epoch writes use that,
  /// because ten milliseconds of fsync per file would dominate epochs of tiny models, and `sync`
  /// makes the run durable when it ends.
  public static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
    let target = url.path
    let directory = url.deletingLastPathComponent().path
    let temporary =
      url.deletingLastPathComponent()
      .appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
      ).path

    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw FileSystemError(operation: "create a temporary file for", path: target, code: errno)
    }
    do {
      try data.withUnsafeBytes { try writeAll(fd, $0, path: target) }
      if durable && fsync(fd) != 0 {
        throw FileSystemError(operation: "flush", path: temporary, code: errno)
      }
      if close(fd) != 0 { throw FileSystemError(operation: "close", path: temporary, code: errno) }
    } catch {
      _ = close(fd)
      unlink(temporary)
      throw error
    }
    if rename(temporary, target) != 0 {
      let code = errno
      unlink(temporary)
      throw FileSystemError(operation: "rename a temporary file over", path: target, code: code)
    }
    if durable { try syncDirectory(directory.isEmpty ? "." : directory) }
  }

  /// Flushes files written with `durable: false`, then their directory, to disk.
  public static func sync(_ urls: [URL], directory: URL) throws {
    for url in urls {
      let fd = open(url.path, O_RDONLY | O_CLOEXEC)
      // A file that was never written (no best yet, say) has nothing to flush.
      if fd < 0 && errno == ENOENT { continue }
      guard fd >= 0 else { throw FileSystemError(operation: "open", path: url.path, code: errno) }
      defer { _ = close(fd) }
      if fsync(fd) != 0 { throw FileSystemError(operation: "flush", path: url.path, code: errno) }
    }
    try syncDirectory(directory.path)
  }

  /// Appends `line` (a newline is added if missing) to the file at `url`, creating it if needed.
  ///
  /// The whole line goes out in one `write(2)` on an `O_APPEND` descriptor, which on a local file
  /// system either appends all of a small buffer or fails before appending anything, so a process
  /// killed mid-call leaves the log ending at a line boundary. The rare partial write (a full disk)
  /// is cut back off before the error is thrown. When `durable`, the file is fsynced so the line
  /// survives a power loss too.
  public static func appendLine(_ line: String, to url: URL, durable: Bool = true) throws {
    let path = url.path
    var bytes = Array(line.utf8)
    if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }

    var created = true
    var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0 && errno == EEXIST {
      created = false
      fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    }
    guard fd >= 0 else { throw FileSystemError(operation: "open for appending", path: path, code: errno) }
    defer { _ = close(fd) }

    var written: Int
    repeat {
      written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
    } while written < 0 && errno == EINTR
    if written < 0 { throw FileSystemError(operation: "append to", path: path, code: errno) }
    if written < bytes.count {
      let end = lseek(fd, 0, SEEK_CUR)
      if end >= 0 { _ = ftruncate(fd, end - off_t(written)) }
      throw FileSystemError(operation: "append a whole line to", path: path, code: ENOSPC)
    }
    if durable && fsync(fd) != 0 { throw FileSystemError(operation: "flush", path: path, code: errno) }
    if durable && created {
      let directory = url.deletingLastPathComponent().path
      try syncDirectory(directory.isEmpty ? "." : directory)
    }
  }

  private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < buffer.count {
      let n = posixWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        throw FileSystemError(operation: "write", path: path, code: errno)
      }
      offset += n
    }
  }

  private static func syncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystemError(operation: "open directory", path: path, code: errno) }
    defer { _ = close(fd) }
    // Some file systems cannot fsync a directory (EINVAL); the rename is still atomic there.
    if fsync(fd) != 0 && errno != EINVAL {
      throw FileSystemError(operation: "flush directory", path: path, code: errno)
    }
  }
}

/// `write(2)`, named so it cannot be confused with `AtomicFile.write` inside the enum.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
  #else
    Darwin.write(fd, buffer, count)
  #endif
}
