import Dashboard
import Foundation
import Training

/// One parser under test. Each `run` feeds it one input and checks the robustness invariant:
/// the input either parses into a consistent value or throws the parser's documented error type
/// with a non-empty message. A violation calls `fatalError`, which libFuzzer reports as a crash.
enum FuzzTarget: String, CaseIterable, Sendable {
  case config, theme, safetensors, csv

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
