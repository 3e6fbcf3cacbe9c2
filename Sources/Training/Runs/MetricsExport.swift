import Foundation

/// Writes the epoch metrics of several runs as one long table that pandas reads without options.
public enum MetricsExport {
  public enum Format: String, CaseIterable, Sendable {
    case csv, jsonl
  }

  /// The settings worth a column: those that differ between the runs, or from the defaults when
  /// there is one run. Listing every key for every row would bury what changed. Runs written by
  /// other trainers bring their own keys, which are compared the same way.
  public static func keyColumns(for records: [RunRecord]) -> [String] {
    let maps = records.map(settingValues)
    guard let first = maps.first else { return [] }
    if records.count == 1 {
      guard let settings = records[0].settings else { return first.keys.sorted() }
      return settings.nonDefaultKeys().map(\.name)
    }
    let tunetopKeys = ConfigKey.all.map(\.name)
    let foreignKeys = Set(maps.flatMap(\.keys)).subtracting(tunetopKeys).sorted()
    return (tunetopKeys + foreignKeys).filter { key in
      maps.contains { $0[key] != first[key] }
    }
  }

  /// Every setting of a run by key: tunetop's keys for its own runs, the config's keys for others.
  static func settingValues(_ record: RunRecord) -> [String: String] {
    if let settings = record.settings {
      return Dictionary(uniqueKeysWithValues: ConfigKey.all.map { ($0.name, settings.value(of: $0)) })
    }
    var values: [String: String] = [:]
    for pair in record.foreignSettings {
      guard let equals = pair.firstIndex(of: "=") else { continue }
      values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    return values
  }

  /// Setting columns carry this prefix, so `learning_rate` the setting and `learning_rate` the
  /// metric (the scheduled rate at that epoch) stay two columns.
  public static let settingPrefix = "hp_"

  public static func export(_ records: [RunRecord], format: Format) throws -> String {
    let keys = keyColumns(for: records)
    let metricColumns = RunDirectory.metricsColumns
    var lines: [String] = []
    if format == .csv {
      lines.append(
        (["run", "source"] + keys.map { settingPrefix + $0 } + metricColumns).map(csvField)
          .joined(separator: ","))
    }
    for record in records {
      let url = URL(fileURLWithPath: record.path).appendingPathComponent("metrics.csv")
      let text: String
      do {
        text = try String(contentsOf: url, encoding: .utf8)
      } catch {
        throw RunDirectoryError(path: url.path, reason: error.localizedDescription, action: "read")
      }
      let settings = settingValues(record)
      let values = keys.map { settings[$0] ?? "" }
      var header: [Int?]?
      for line in MetricsFile.completeLines(text) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Columns are found by name: another trainer may add its own after the contract's eight.
        guard let columns = header else {
          header = metricColumns.map { cells.firstIndex(of: $0) }
          continue
        }
        // A line cut short by a killed writer has fewer fields; it is not a complete epoch.
        guard cells.count >= (columns.compactMap { $0 }.max() ?? 0) + 1,
          let epochColumn = columns[0], EpochPosition.parse(Substring(cells[epochColumn])) != nil
        else { continue }
        let fields = columns.map { $0.map { cells[$0] } ?? "" }
        switch format {
        case .csv:
          lines.append(([record.name, record.source] + values + fields).map(csvField).joined(separator: ","))
        case .jsonl:
          var object: [String: Any] = ["run": record.name, "source": record.source]
          for (key, value) in zip(keys, values) { object[settingPrefix + key] = jsonValue(value) }
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

  /// Numbers stay numbers and `nan` or an empty cell becomes null, so JSON readers get typed columns.
  static func jsonValue(_ text: String) -> Any {
    if text.isEmpty || text.lowercased() == "nan" || text == "null" { return NSNull() }
    if let integer = Int(text) { return integer }
    if let number = Double(text), number.isFinite { return number }
    if text == "true" || text == "false" { return text == "true" }
    return text
  }
}
