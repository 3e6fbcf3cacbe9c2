import Testing
import Training

@testable import Dashboard

private func state(kind: String?, method: String = "full") -> DashboardState {
  var state = idleState()
  state.settings.method = method
  if let kind {
    state.model = ModelInfo(
      groups: ["head"], parameterCounts: ["head": 10], trainSamples: 100, validationSamples: 20, kind: kind)
  }
  return state
}

@Test func anMLPsFormLeavesOutTheEncodersKeys() {
  let names = state(kind: "mlp").formKeys.map(\.name)
  #expect(names.contains("hidden_sizes") && names.contains("normalize"))
  for name in ["max_seq_len", "pooling", "method", "lora_rank", "lora_targets"] {
    #expect(!names.contains(name), "\(name) shown for an MLP")
  }
}

@Test func anEncodersFormShowsLoRAKeysOnlyForLoRA() {
  let full = state(kind: "bert").formKeys.map(\.name)
  #expect(full.contains("max_seq_len") && full.contains("pooling") && full.contains("method"))
  #expect(!full.contains("hidden_sizes") && !full.contains("normalize") && !full.contains("lora_rank"))
  let lora = state(kind: "bert", method: "lora").formKeys.map(\.name)
  #expect(["lora_rank", "lora_alpha", "lora_dropout", "lora_targets"].allSatisfy(lora.contains))
}

@Test func anUnknownModelShowsEveryKeyButLoRAs() {
  let names = state(kind: nil).formKeys.map(\.name)
  #expect(names.count == ConfigKey.all.count - 4)
  #expect(state(kind: nil, method: "lora").formKeys.count == ConfigKey.all.count)
}

@Test func focusMovesOverTheShownKeysOnly() {
  var state = state(kind: "mlp")
  state.formIndex = state.formKeys.count - 1
  _ = press([.down], &state)
  #expect(state.focusedKey == state.formKeys.last)
  #expect(state.focusedKey.name != "lora_targets")
}
