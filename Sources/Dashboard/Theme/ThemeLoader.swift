import Foundation

/// Finds and reads `.theme` files from disk; the built-in default needs no file.
public enum ThemeLoader {
  /// Where themes are looked for, in order: `$TUNETOP_THEMES`, `./themes`, `~/.config/tunetop/themes`,
  /// and `themes` next to the executable.
  public static func searchDirectories(environment: [String: String]) -> [String] {
    var directories: [String] = []
    if let custom = environment["TUNETOP_THEMES"], !custom.isEmpty { directories.append(custom) }
    directories.append(FileManager.default.currentDirectoryPath + "/themes")
    if let home = environment["HOME"] { directories.append(home + "/.config/tunetop/themes") }
    let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().path
    directories.append(executable + "/themes")
    return directories
  }

  /// Reads one theme file, reporting unreadable files in the same `ThemeError` form as parse errors.
  public static func load(path: String) throws(ThemeError) -> ThemeParser.Result {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
      throw ThemeError([ThemeDiagnostic(file: path, line: nil, message: "theme file \(reason)")])
    }
    return try ThemeParser.parse(bytes: [UInt8](data), file: path)
  }

  /// Loads a theme by name (`nord`) or path (`./my.theme`); `default` without a file is the built-in one.
  public static func load(named name: String, in directories: [String]) throws(ThemeError)
    -> ThemeParser.Result
  {
    if name.contains("/") || name.hasSuffix(".theme") { return try load(path: name) }
    for directory in directories {
      let path = directory + "/" + name + ".theme"
      if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
    }
    if name == "default" { return ThemeParser.Result(theme: Theme.builtInDefault, warnings: []) }
    let available = availableThemes(in: directories)
    let list = available.isEmpty ? "none found" : available.joined(separator: ", ")
    throw ThemeError([
      ThemeDiagnostic(
        file: name + ".theme", line: nil,
        message: "no such theme in \(directories.joined(separator: ", ")); available: \(list)")
    ])
  }

  /// Names of the `.theme` files in `directories`, without duplicates, sorted.
  public static func availableThemes(in directories: [String]) -> [String] {
    let names = directories.flatMap { directory in
      ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".theme") }.map { String($0.dropLast(6)) }
    }
    return Array(Set(names + ["default"])).sorted()
  }
}
