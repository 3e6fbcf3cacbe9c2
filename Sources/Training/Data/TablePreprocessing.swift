import Foundation

/// How a table's columns become model inputs — classes, one-hot categories, imputed means and
/// scaling — fitted on the training split and stored with every checkpoint, so predict, resume,
/// fork and lr-find transform rows exactly as training did.
public struct TablePreprocessing: Codable, Equatable, Sendable {
  /// A text column with more distinct values than this is free text, not categories.
  public static let maximumCategories = 32
  /// The checkpoint metadata key that holds this, as JSON.
  public static let metadataKey = "tunetop_preprocessing"

  /// One input column of the table and how it is encoded.
  public struct Feature: Codable, Equatable, Sendable {
    public var name: String
    /// 0-based position in the training file, for files without a header.
    public var position: Int
    /// The training-split mean, written in for missing cells (numeric columns).
    public var mean: Float?
    /// The categories, in one-hot order (text columns); unseen or missing ones encode as all zeros.
    public var categories: [String]?

    public var width: Int { categories?.count ?? 1 }
  }

  public var labelColumn: String
  public var classes: ClassLabels
  public var features: [Feature]
  public var normalize: Normalization
  /// Per model input: it becomes `(x - offset) / scale`.
  public var offsets: [Float]
  public var scales: [Float]

  public var inputCount: Int { offsets.count }

  /// Column names the model's inputs stand for: `petal_length`, `colour=red`.
  public var inputNames: [String] {
    features.flatMap { feature in
      feature.categories.map { $0.map { "\(feature.name)=\($0)" } } ?? [feature.name]
    }
  }

  /// The JSON stored in checkpoint metadata.
  public var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // Encoding plain strings, numbers and arrays cannot fail; NaN never reaches here (means are finite).
    return String(decoding: try! encoder.encode(self), as: UTF8.self)
  }

  /// Reads it back from a checkpoint's metadata; nil when the checkpoint has none (digits, old runs).
  public static func from(metadata: [String: String], path: String) throws -> TablePreprocessing? {
    guard let text = metadata[metadataKey] else { return nil }
    do {
      return try JSONDecoder().decode(TablePreprocessing.self, from: Data(text.utf8))
    } catch {
      throw CheckpointMismatchError(
        path: path, message: "\(metadataKey) metadata cannot be read: \(error.localizedDescription)")
    }
  }

  /// The metadata entries a checkpoint of a model trained with this carries.
  public var metadata: [String: String] {
    [Self.metadataKey: json, "classes": classes.names.joined(separator: ",")]
  }
}

/// The roles of a table's columns: which is the label, which an identifier, which are features.
public struct TableColumns: Equatable, Sendable {
  public var label: Int?
  /// A column named `id` (any case): kept for predictions, never a feature.
  public var id: Int?
  public var features: [Int]

  /// Roles in a training file: the `label` column or the last one, `id` if present, the rest features.
  public static func training(names: [String], hasHeader: Bool) -> TableColumns {
    let label = TableReader.labelColumn(names: names, hasHeader: hasHeader)
    let id = hasHeader ? names.firstIndex { $0.lowercased() == "id" && $0.lowercased() != "label" } : nil
    return TableColumns(
      label: label, id: id, features: names.indices.filter { $0 != label && $0 != id })
  }
}

extension TablePreprocessing {
  /// Fits the encodings on `trainRows` of `table` (classes are given: they come from every row).
  public static func fit(
    _ table: RawTable, columns: TableColumns, trainRows: [Int], classes: ClassLabels,
    normalize: Normalization
  ) throws(CSVDatasetError) -> TablePreprocessing {
    var features: [Feature] = []
    var unscaled = Set<Int>()
    var width = 0
    for column in columns.features {
      let name = table.names[column]
      if let position = table.numericColumns.firstIndex(of: column) {
        let stride = table.numericColumns.count
        var sum = 0.0
        var count = 0
        for row in trainRows {
          let value = table.numbers[row * stride + position]
          if !value.isNaN {
            sum += Double(value)
            count += 1
          }
        }
        features.append(
          Feature(name: name, position: column, mean: count > 0 ? Float(sum / Double(count)) : 0))
        width += 1
      } else {
        let cells = table.textColumns[column]!
        try checkCategorical(table, column: column, cells: cells)
        let categories = Set(trainRows.map { cells[$0] }.filter { !MissingValue.isMissing($0) }).sorted()
        features.append(Feature(name: name, position: column, categories: categories))
        unscaled.formUnion(width..<(width + categories.count))
        width += categories.count
      }
    }
    var preprocessing = TablePreprocessing(
      labelColumn: columns.label.map { table.names[$0] } ?? "label", classes: classes, features: features,
      normalize: normalize, offsets: Array(repeating: 0, count: width),
      scales: Array(repeating: 1, count: width))
    let encoded = try preprocessing.encode(table, rows: trainRows)
    (preprocessing.offsets, preprocessing.scales) = normalize.fit(encoded, unscaled: unscaled)
    return preprocessing
  }

  /// A text feature column must hold few distinct values; a column mixing numbers and text has a
  /// typo, reported at its first text cell.
  private static func checkCategorical(_ table: RawTable, column: Int, cells: [String])
    throws(CSVDatasetError)
  {
    let name = table.hasHeader ? table.names[column] : nil
    let present = cells.indices.filter { !MissingValue.isMissing(cells[$0]) }
    let numeric = present.filter { NumberParsing.float(cells[$0]) != nil }
    if !numeric.isEmpty, let text = present.first(where: { NumberParsing.float(cells[$0]) == nil }) {
      throw CSVDatasetError(
        source: table.source, line: table.lines[text],
        problem: .notANumber(column: column + 1, name: name, cell: cells[text]))
    }
    var seen = Set<String>()
    for row in present {
      seen.insert(cells[row])
      if seen.count > maximumCategories {
        throw CSVDatasetError(
          source: table.source, line: table.lines[row],
          problem: .freeTextColumn(
            column: column + 1, name: name, cell: cells[row], distinct: Set(present.map { cells[$0] }).count))
      }
    }
  }

  /// Where each feature is in `table`: by name when it has a header, else by position.
  func locate(in table: RawTable) throws(CSVDatasetError) -> [Int] {
    var located: [Int] = []
    // A model trained on a file without a header knows its columns only by position.
    let byName = table.hasHeader && !features.allSatisfy { $0.name == "column\($0.position + 1)" }
    for feature in features {
      if byName {
        guard let column = table.names.firstIndex(of: feature.name) else {
          throw CSVDatasetError(
            source: table.source, line: 1, problem: .missingColumn(name: feature.name, has: table.names))
        }
        located.append(column)
      } else {
        guard feature.position < table.columnCount else {
          throw CSVDatasetError(
            source: table.source, line: table.lines.first,
            problem: .tooFewColumns(count: table.columnCount))
        }
        located.append(feature.position)
      }
    }
    return located
  }

  /// The model inputs of `rows` (all rows when nil): encoded, imputed and scaled.
  public func encode(_ table: RawTable, rows: [Int]? = nil) throws(CSVDatasetError) -> Matrix {
    let columns = try locate(in: table)
    let rowCount = rows?.count ?? table.rowCount
    let width = inputCount
    var storage = [Float](repeating: 0, count: rowCount * width)
    let stride = table.numericColumns.count
    var numericPosition: [Int: Int] = [:]
    for (position, column) in table.numericColumns.enumerated() { numericPosition[column] = position }
    var offset = 0
    for (index, feature) in features.enumerated() {
      let column = columns[index]
      if let categories = feature.categories {
        var lookup: [String: Int] = [:]
        for (position, category) in categories.enumerated() { lookup[category] = position }
        for out in 0..<rowCount {
          let row = rows?[out] ?? out
          if let hit = lookup[table.text(row: row, column: column)] {
            storage[out * width + offset + hit] = 1
          }
        }
      } else if let position = numericPosition[column] {
        let mean = feature.mean ?? 0
        let (shift, scale) = (offsets[offset], scales[offset])
        storage.withUnsafeMutableBufferPointer { target in
          table.numbers.withUnsafeBufferPointer { source in
            for out in 0..<rowCount {
              let row = rows?[out] ?? out
              let value = source[row * stride + position]
              target[out * width + offset] = ((value.isNaN ? mean : value) - shift) / scale
            }
          }
        }
      } else {
        // A numeric feature read as text here (a stray word in a prediction file): unreadable
        // cells are missing, so they get the mean; `unreadableRows` reports them.
        let mean = feature.mean ?? 0
        let cells = table.textColumns[column]!
        for out in 0..<rowCount {
          let row = rows?[out] ?? out
          let value = NumberParsing.float(cells[row]).flatMap { $0.isFinite ? $0 : nil } ?? mean
          storage[out * width + offset] = (value - offsets[offset]) / scales[offset]
        }
      }
      offset += feature.width
    }
    return Matrix(rows: rowCount, cols: width, storage: storage)
  }

  /// Rows of a prediction file with a numeric feature that is neither a number nor missing:
  /// (row, column, cell) for each, so predict can report them by line.
  public func unreadableCells(_ table: RawTable) throws(CSVDatasetError) -> [(
    row: Int, column: Int, cell: String
  )] {
    let columns = try locate(in: table)
    var found: [(row: Int, column: Int, cell: String)] = []
    for (index, feature) in features.enumerated() where feature.categories == nil {
      guard let cells = table.textColumns[columns[index]] else { continue }
      for (row, cell) in cells.enumerated() where !MissingValue.isMissing(cell) {
        if let value = NumberParsing.float(cell), value.isFinite { continue }
        found.append((row, columns[index], cell))
      }
    }
    return found.sorted { ($0.row, $0.column) < ($1.row, $1.column) }
  }

  /// Class indices of the label cells of `rows`; an empty or unknown label is an error at its line.
  public func labels(_ table: RawTable, rows: [Int]? = nil) throws(CSVDatasetError) -> [Int] {
    guard let column = table.column(named: labelColumn) ?? (table.hasHeader ? nil : table.columnCount - 1)
    else {
      throw CSVDatasetError(
        source: table.source, line: 1, problem: .missingColumn(name: labelColumn, has: table.names))
    }
    let name = table.hasHeader ? table.names[column] : nil
    var labels: [Int] = []
    for row in rows ?? Array(0..<table.rowCount) {
      let cell = table.text(row: row, column: column)
      if MissingValue.isMissing(cell) {
        throw CSVDatasetError(
          source: table.source, line: table.lines[row], problem: .missingLabel(column: column + 1, name: name)
        )
      }
      guard let index = classes.index(of: cell) else {
        throw CSVDatasetError(
          source: table.source, line: table.lines[row],
          problem: .unknownClass(cell: cell, known: classes.names))
      }
      labels.append(index)
    }
    return labels
  }
}
