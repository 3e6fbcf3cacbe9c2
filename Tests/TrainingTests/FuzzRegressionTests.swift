import Foundation
import Testing

@testable import Training

// Replays the fuzzers' inputs (Tests/fuzz, see run.sh there) through the parsers they target:
// every crash the fuzzers found is kept in regressions/<target>/, and the seeds in corpus/<target>/
// must keep parsing. The invariant is the fuzzers': parse, or throw the parser's error with a message.

/// The files of `Tests/fuzz/<kind>/<target>/`, sorted; an absent directory has none.
private func fuzzInputs(_ kind: String, _ target: String, filePath: String = #filePath) -> [String] {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/\(kind)/\(target)").path
  let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  return names.filter { !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
}

private func contents(_ path: String) throws -> [UInt8] {
  [UInt8](try #require(FileManager.default.contents(atPath: path), "cannot read \(path)"))
}

/// Loads the input as YAML and applies its lines as `--set` overrides; returns whether the YAML loaded.
private func replayConfig(_ bytes: [UInt8]) -> Bool {
  let text = String(decoding: bytes, as: UTF8.self)
  var loaded: HyperParameters?
  do {
    loaded = try HyperParameters.load(yaml: text, source: "fuzz.yaml")
  } catch {
    #expect(!error.message.isEmpty)
  }
  if let loaded {
    // What `yaml()` saves (a run's config.yaml) must load back equal.
    do {
      let saved = try HyperParameters.load(yaml: loaded.yaml(), source: "saved.yaml")
      #expect(saved == loaded)
    } catch {
      Issue.record("the saved config does not load: \(error)")
    }
  }
  let overrides = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  for base in [HyperParameters(), loaded].compactMap({ $0 }) {
    do {
      _ = try base.applying(overrides: overrides)
    } catch {
      #expect(!error.message.isEmpty)
    }
  }
  return loaded != nil
}

private func replaySafeTensors(_ bytes: [UInt8]) -> Bool {
  do {
    let file = try SafeTensors.read(data: Data(bytes), source: "fuzz.safetensors")
    let again = try SafeTensors.read(
      data: SafeTensors.encode(file.tensors, metadata: file.metadata), source: "again")
    #expect(again.metadata == file.metadata)
    #expect(Set(again.names) == Set(file.names))
    return true
  } catch {
    #expect(!error.problem.message.isEmpty)
    return false
  }
}

private func replayCSV(_ bytes: [UInt8]) -> Bool {
  do {
    let data = try CSVDataset.parse(String(decoding: bytes, as: UTF8.self), source: "fuzz.csv")
    #expect(data.features.rows == data.labels.count)
    #expect(data.features.storage.allSatisfy { $0.isFinite })
    return true
  } catch {
    #expect(!error.problem.message(line: error.line).isEmpty)
    return false
  }
}

@Test(arguments: fuzzInputs("regressions", "config"))
func configFuzzRegression(path: String) throws {
  _ = replayConfig(try contents(path))
}

@Test(arguments: fuzzInputs("regressions", "safetensors"))
func safeTensorsFuzzRegression(path: String) throws {
  _ = replaySafeTensors(try contents(path))
}

@Test(arguments: fuzzInputs("regressions", "csv"))
func csvFuzzRegression(path: String) throws {
  _ = replayCSV(try contents(path))
}

@Test func fuzzSeedsStillParse() throws {
  let seeds = [
    ("config", replayConfig), ("safetensors", replaySafeTensors), ("csv", replayCSV),
  ]
  for (target, replay) in seeds {
    let paths = fuzzInputs("corpus", target)
    #expect(!paths.isEmpty, "no seeds for \(target)")
    for path in paths where !path.hasSuffix("overrides.txt") {
      #expect(replay(try contents(path)), "seed \(path) no longer parses")
    }
  }
}
