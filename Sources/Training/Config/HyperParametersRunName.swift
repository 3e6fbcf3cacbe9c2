/// Names for run directories, built from what a run changed, so `ls runs/` tells runs apart.
extension HyperParameters {
  /// At most this many characters, leaving room for the timestamp in `runs/<time>-<name>/`.
  public static let runNameLimit = 40

  /// `lr3e-3_do0_frz-hidden1`: one short tag per key that differs from the default, in table order,
  /// using only `[A-Za-z0-9.+-]` and `_` between tags; `defaults` when nothing differs. Tags that do
  /// not fit are replaced by `_etc`, so two names can coincide; the timestamp keeps runs apart.
  public func shortRunName() -> String {
    let tags = nonDefaultKeys().map(runTag)
    guard !tags.isEmpty else { return "defaults" }
    let full = tags.joined(separator: "_")
    if full.count <= Self.runNameLimit { return full }
    let ellipsis = "_etc"
    var name = ""
    for tag in tags {
      let candidate = name.isEmpty ? tag : name + "_" + tag
      if candidate.count + ellipsis.count > Self.runNameLimit { break }
      name = candidate
    }
    return name.isEmpty
      ? String(tags[0].prefix(Self.runNameLimit - ellipsis.count)) + ellipsis : name + ellipsis
  }

  private func runTag(_ key: ConfigKey) -> String {
    let tag: String
    switch key {
    case .task: tag = Self.stem(task)
    case .baseModel: tag = baseModel == "none" ? "scratch" : "base-" + Self.stem(baseModel)
    case .hiddenSizes: tag = "h" + hiddenSizes.map(String.init).joined(separator: "x")
    case .resetHead: tag = resetHead ? "newhead" : "keephead"
    case .optimizer: tag = optimizer.rawValue
    case .schedule: tag = schedule.rawValue.replacingOccurrences(of: "_", with: "")
    case .monitor: tag = "mon-" + monitor.rawValue.replacingOccurrences(of: "val_", with: "")
    case .frozen: tag = "frz-" + (frozen.isEmpty ? "none" : frozen.joined(separator: "+"))
    default:
      switch self[key] {
      case .number(let value): tag = key.abbreviation + compactNumber(value)
      case .integer(let value): tag = key.abbreviation + String(value)
      default: tag = key.abbreviation + value(of: key)
      }
    }
    let safe = String(tag.map { $0.isASCII && ($0.isLetter || $0.isNumber || ".+-".contains($0)) ? $0 : "-" })
    return String(safe.prefix(20))
  }

  /// `data/my digits.csv` → `my digits`: paths are too long for a name and their folders rarely matter.
  private static func stem(_ path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
    return String(file[..<dot])
  }
}
