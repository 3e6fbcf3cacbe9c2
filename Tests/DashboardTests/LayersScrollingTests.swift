import Foundation
import Testing

@testable import Dashboard
@testable import Training

/// BERT-base's groups as the encoder names them: embeddings, twelve blocks, the classification head.
private let bertGroups = ["embeddings"] + (0..<12).map { "block\($0)" } + ["head"]
private let bertModel = ModelInfo(
  groups: bertGroups,
  parameterCounts: Dictionary(
    uniqueKeysWithValues: bertGroups.map {
      ($0, $0 == "embeddings" ? 23_837_184 : $0 == "head" ? 3_076 : 7_087_872)
    }),
  trainSamples: 2_000, validationSamples: 500)

/// A run of the 14-group model under way: the bottom four groups frozen, live gradient norms above.
private func bertRunState(width: Int = 80, height: Int = 24) -> DashboardState {
  var state = DashboardState(settings: HyperParameters(), width: width, height: height, model: bertModel)
  state.settings.layerLRDecay = 0.8
  state.settings.epochs = 3
  state.settings.frozen = ["embeddings", "block0", "block1", "block2"]
  _ = press([.character("s")], &state)
  let settings = state.settings
  let start = RunStart(
    directory: "runs/20261130-080000-bert", hyperParameters: settings, stepsPerEpoch: 63, totalSteps: 189,
    groups: bertGroups, parameterCounts: bertModel.parameterCounts,
    frozen: ["embeddings", "block0", "block1", "block2"], trainSamples: 2_000, validationSamples: 500)
  var events: [TrainingEvent] = [.started(start), .statusChanged(.running)]
  for step in 1...40 {
    // Frozen groups have no gradient: zero, as the trainer reports them.
    var norms = GroupNorms(names: bertGroups)
    for index in bertGroups.indices where index > 3 {
      norms[index] = (0.2 + 0.05 * Double(index)) * (1 + 0.3 * sin(Double(step + index)))
    }
    events.append(
      .step(
        StepMetrics(
          step: step, epoch: 1, loss: 1.9 - 0.02 * Double(step), accuracy: 0.3 + 0.01 * Double(step),
          learningRate: 5e-5, gradientNorm: 1.5, gradientNorms: norms, samplesPerSecond: 30)))
  }
  _ = reduce(&state, .trainingEvents(events))
  _ = press([.character("5")], &state)
  return state
}

@Test func theLayersPanelScrollsToKeepTheSelectedGroupVisible() {
  var state = bertRunState()
  let rows = DashboardLayout(state).layerRows
  #expect(rows < bertGroups.count)  // 80×24 cannot show all fourteen
  #expect(screen(state).text.contains("1–\(rows) of 14"))
  _ = press(Array(repeating: .character("j"), count: 13), &state)
  #expect(state.layerIndex == 13 && state.layersTop == 14 - rows)
  let text = screen(state).text
  #expect(text.contains("● head") && !text.contains("○ embeddings"))
  #expect(text.contains("\(15 - rows)–14 of 14"))
  // Going back up scrolls only once the selection reaches the top row.
  _ = press(Array(repeating: .character("k"), count: rows - 1), &state)
  #expect(state.layersTop == 14 - rows)
  _ = press([.character("k")], &state)
  #expect(state.layersTop == 13 - rows)
}

@Test func spaceTogglesTheSelectedGroupAfterScrolling() {
  var state = DashboardState(settings: HyperParameters(), width: 80, height: 24, model: bertModel)
  _ = press([.character("5")] + Array(repeating: .character("j"), count: 11), &state)
  #expect(bertGroups[state.layerIndex] == "block10")
  _ = press([.character(" ")], &state)
  #expect(state.settings.frozen == ["block10"])
  #expect(screen(state).text.contains("○ block10"))
}

@Test func layersOfABertRunGolden80x24() {
  var state = bertRunState()
  _ = press(Array(repeating: .character("j"), count: 10), &state)
  expectGolden(screen(state), "layers-bert-80x24")
}

@Test func layersOfABertRunGolden160x48() {
  // Tall enough for every group: no scroll marks, the sizes in the title.
  let state = bertRunState(width: 160, height: 48)
  #expect(DashboardLayout(state).layerRows >= bertGroups.count)
  expectGolden(screen(state), "layers-bert-160x48")
}
