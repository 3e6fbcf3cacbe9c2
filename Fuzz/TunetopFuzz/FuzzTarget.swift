import Dashboard
import Foundation
import Training

/// One parser under test. Each `run` feeds it one input and checks the robustness invariant:
/// the input either parses into a consistent value or throws the parser's documented error type
/// with a non-empty message. A violation calls `fatalError`, which libFuzzer reports as a crash.
enum FuzzTarget: String, CaseIterable, Sendable {
  case config, theme, safetensors, csv, table

  /// What a source is called in error messages; checked to be more than a bare prefix.
  static let source = "fuzz-input"

  /// Checks one input; returns how it went in a word (`parsed`) or the error's first line.
  @discardableResult
  func run(_ bytes: [UInt8]) -> String {
    switch self {
    case .config: Self.config(bytes)
    case .theme: Self.theme(bytes)
    case .safetensors: Self.safetensors(bytes)
    case .csv: Self.csv(bytes)
    case .table: Self.table(bytes)
    }
  }

  /// `HyperParameters.load(yaml:source:)` on the whole input, and `applying(overrides:)` with its
  /// lines as `--set` arguments, on the defaults and on whatever the YAML loaded.
  private static func config(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    let overrides = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var loaded: HyperParameters?
    var outcome = "parsed"
    do {
      let parameters = try HyperParameters.load(yaml: text, source: source)
      loaded = parameters
      // The saved form is documented to load back equal.
      do {
        let again = try HyperParameters.load(yaml: parameters.yaml(), source: source)
        check(again == parameters, "config: yaml() of a loaded config loads back different")
      } catch {
        fatalError("config: yaml() of a loaded config does not load: \(error)")
      }
    } catch {
      checkMessage(error, message: error.message)
      outcome = error.description
    }
    for base in [HyperParameters(), loaded].compactMap({ $0 }) {
      do {
        _ = try base.applying(overrides: overrides)
      } catch {
        checkMessage(error, message: error.message)
      }
    }
    return outcome
  }

  /// `ThemeParser.parse(bytes:file:name:)`: every error carries diagnostics, each with a message.
  private static func theme(_ bytes: [UInt8]) -> String {
    do {
      let result = try ThemeParser.parse(bytes: bytes, file: "fuzz.theme")
      check(result.theme.name == "fuzz", "theme: the name is not taken from the file")
      for warning in result.warnings { check(!warning.message.isEmpty, "theme: an empty warning") }
      return "parsed"
    } catch {
      check(!error.diagnostics.isEmpty, "theme: an error without diagnostics")
      for diagnostic in error.diagnostics { checkMessage(error, message: diagnostic.message) }
      return error.description
    }
  }

  /// `SafeTensors.read(data:source:)`; what it accepts must re-encode and read back the same.
  private static func safetensors(_ bytes: [UInt8]) -> String {
    let file: SafeTensorsFile
    do {
      file = try SafeTensors.read(data: Data(bytes), source: source)
    } catch {
      checkMessage(error, message: messageAfterPlace(error.description))
      return error.description
    }
    do {
      let again = try SafeTensors.read(
        data: SafeTensors.encode(file.tensors, metadata: file.metadata), source: source)
      check(again.metadata == file.metadata, "safetensors: metadata changes on a round trip")
      check(
        again.tensors.map(\.name).sorted() == file.tensors.map(\.name).sorted(),
        "safetensors: tensor names change on a round trip")
      for tensor in file.tensors {
        let other = again[tensor.name]
        check(
          other?.shape == tensor.shape
            && other?.values.map(\.bitPattern) == tensor.values.map(\.bitPattern),
          "safetensors: tensor \(tensor.name) changes on a round trip")
      }
    } catch {
      fatalError("safetensors: a file that was read does not re-encode and read back: \(error)")
    }
    return "parsed"
  }

  /// `CSVDataset.parse(_:source:)`; an accepted data set is consistent and finite.
  private static func csv(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    do {
      let data = try CSVDataset.parse(text, source: source)
      check(data.features.rows == data.labels.count, "csv: rows and labels differ in number")
      check(data.features.cols >= 1, "csv: no feature column")
      check(data.classes == (data.labels.max() ?? -1) + 1, "csv: classes is not the largest label + 1")
      check(data.classes <= CSVDataset.maximumClasses, "csv: too many classes")
      check(data.features.storage.allSatisfy(\.isFinite), "csv: a feature is not finite")
      return "parsed"
    } catch {
      checkMessage(error, message: messageAfterPlace(error.description))
      return error.description
    }
  }

  /// `TableReader.parse` (fast path, else CSV.swift) on the raw bytes: an accepted table is
  /// rectangular with ascending lines, the fast path agrees with the library whenever it accepts,
  /// and encoding it (fitting on every row) either works or throws a located message.
  private static func table(_ bytes: [UInt8]) -> String {
    let data = Data(bytes)
    let roles: TableReader.TextColumns = { names, hasHeader in
      let roles = TableColumns.training(names: names, hasHeader: hasHeader)
      return Set([roles.label, roles.id].compactMap { $0 })
    }
    do {
      let table = try TableReader.parse(data, source: source, textColumns: roles)
      check(table.rowCount > 0 && table.columnCount >= 2, "table: accepted without rows or columns")
      check(
        table.numbers.count == table.rowCount * table.numericColumns.count, "table: numbers not rectangular")
      check(
        table.textColumns.values.allSatisfy { $0.count == table.rowCount }, "table: a text column is short")
      check(zip(table.lines, table.lines.dropFirst()).allSatisfy { $0 < $1 }, "table: lines not ascending")
      check(table.numbers.allSatisfy { $0.isNaN || $0.isFinite }, "table: an infinite number")
      if let library = try? TableReader.parseWithLibrary(data, source: source, textColumns: roles) {
        check(
          library.names == table.names && library.lines == table.lines, "table: fast path and library differ")
        check(
          library.numbers.map(\.bitPattern) == table.numbers.map(\.bitPattern),
          "table: fast path and library read different numbers")
      } else {
        fatalError("table: the fast path accepts what the library refuses")
      }
      let columns = TableColumns.training(names: table.names, hasHeader: table.hasHeader)
      let labels = (0..<table.rowCount).map { table.text(row: $0, column: columns.label!) }
      do {
        let preprocessing = try TablePreprocessing.fit(
          table, columns: columns, trainRows: Array(0..<table.rowCount), classes: .infer(from: labels),
          normalize: .standard)
        let encoded = try preprocessing.encode(table)
        check(
          encoded.rows == table.rowCount && encoded.cols == preprocessing.inputCount, "table: encoded shape")
      } catch {
        checkMessage(error, message: messageAfterPlace(error.description))
      }
      return "parsed"
    } catch {
      checkMessage(error, message: messageAfterPlace(error.description))
      return error.description
    }
  }

  /// `fuzz-input:3: message` or `fuzz-input: message` → `message`.
  private static func messageAfterPlace(_ description: String) -> String {
    guard description.hasPrefix(source),
      let colon = description.range(
        of: ": ",
        range: description.index(description.startIndex, offsetBy: source.count)..<description.endIndex)
    else { fatalError("an error description does not start with its source: \(description)") }
    return String(description[colon.upperBound...])
  }

  private static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
  }

  private static func checkMessage(_ error: some Error, message: String) {
    check(
      !message.trimmingCharacters(in: .whitespaces).isEmpty,
      "\(type(of: error)) with an empty message: \(String(reflecting: error))")
  }
}
