import Foundation

/// Writes the epoch metrics of several runs as one long table that pandas reads without options.
public enum MetricsExport {
  public enum Format: String, CaseIterable, Sendable {
    case csv, jsonl
  }

  /// The settings worth a column: those that differ between the runs, or from the defaults when
  /// there is one run. Listing every key for every row would bury what changed.
  public static func keyColumns(for records: [RunRecord]) -> [ConfigKey] {
    let settings = records.compactMap(\.settings)
    guard let first = settings.first else { return [] }
    if settings.count == 1 { return first.nonDefaultKeys() }
    return ConfigKey.all.filter { key in
      settings.contains { $0.value(of: key) != first.value(of: key) }
    }
  }

  /// Setting columns carry this prefix, so `learning_rate` the setting and `learning_rate` the
  /// metric (the scheduled rate at that epoch) stay two columns.
  public static let settingPrefix = "hp_"

  public static func export(_ records: [RunRecord], format: Format) throws -> String {
    let keys = keyColumns(for: records)
    let metricColumns = RunDirectory.metricsHeader.split(separator: ",").map(String.init)
    var lines: [String] = []
    if format == .csv {
      lines.append(
        (["run"] + keys.map { settingPrefix + $0.name } + metricColumns).map(csvField).joined(separator: ","))
    }
    for record in records {
      let url = URL(fileURLWithPath: record.path).appendingPathComponent("metrics.csv")
      let text: String
      do {
        text = try String(contentsOf: url, encoding: .utf8)
      } catch {
        throw RunDirectoryError(path: url.path, reason: "cannot be read: \(error.localizedDescription)")
      }
      let values = keys.map { record.settings?.value(of: $0) ?? "" }
      for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        // A line cut short by a killed writer has fewer fields; it is not a complete epoch.
        guard fields.count == metricColumns.count else { continue }
        switch format {
        case .csv:
          lines.append(([record.name] + values + fields).map(csvField).joined(separator: ","))
        case .jsonl:
          var object: [String: Any] = ["run": record.name]
          for (key, value) in zip(keys, values) { object[settingPrefix + key.name] = jsonValue(value) }
          for (column, value) in zip(metricColumns, fields) { object[column] = jsonValue(value) }
          let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
          lines.append(String(decoding: data, as: UTF8.self))
        }
      }
    }
    return lines.map { $0 + "\n" }.joined()
  }

  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Numbers stay numbers and `nan` becomes null, so JSON readers get typed columns.
  static func jsonValue(_ text: String) -> Any {
    if text == "nan" { return NSNull() }
    if let integer = Int(text) { return integer }
    if let number = Double(text), number.isFinite { return number }
    if text == "true" || text == "false" { return text == "true" }
    return text
  }
}
