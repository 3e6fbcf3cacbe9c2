import Foundation
import Testing

@testable import Training

@Test func fastConfigReadingMatchesTheYAMLLoaderOnWhatTunetopWrites() throws {
  var changed = HyperParameters()
  changed.learningRate = 3e-3
  changed.frozen = ["hidden1", "hidden2"]
  changed.hiddenSizes = [32]
  changed.task = "data/my digits.csv"  // quoted in YAML: the fast path hands it to the loader
  changed.optimizer = .nesterov
  var fork = HyperParameters()
  fork.baseModel = "/tmp/runs/20261101-093000-lr3e-3/checkpoints/epoch-0004.safetensors"
  for settings in [HyperParameters(), changed, fork] {
    let text = RunParent(run: "x", epoch: 1).configComment + settings.yaml()
    let loaded = try HyperParameters.load(yaml: text)
    #expect(loaded == settings)
    let fast = RunConfigReader.fastRead(text)
    if settings.task.contains(" ") {
      #expect(fast == nil)
    } else {
      #expect(fast == settings)
    }
  }
  // A hand-edited file goes through the full loader, with its errors.
  let scratch = ScratchDirectory()
  let path = scratch.url.appendingPathComponent("config.yaml").path
  try "learning_rate: \"0.01\"\nfrozen:\n  - hidden1\n".write(toFile: path, atomically: true, encoding: .utf8)
  #expect(RunConfigReader.fastRead(try String(contentsOfFile: path, encoding: .utf8)) == nil)
  #expect(try RunConfigReader.read(path: path).frozen == ["hidden1"])
  try "learning_rate: -1\n".write(toFile: path, atomically: true, encoding: .utf8)
  #expect(throws: ConfigError.self) { try RunConfigReader.read(path: path) }
}
