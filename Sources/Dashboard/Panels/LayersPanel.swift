import Training

/// One row per layer group: frozen or trainable, size, LR multiplier, live gradient norm, and when
/// gradual unfreezing will wake a frozen group.
struct LayersPanel {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let groups = state.groups
    let focused = state.focus == .layers
    let total = groups.reduce(0) { $0 + (state.model?.parameterCounts[$1] ?? 0) }
    let trainable = groups.filter { !state.isFrozen($0) }.reduce(0) {
      $0 + (state.model?.parameterCounts[$1] ?? 0)
    }
    let trailer = groups.isEmpty ? nil : "\(NumberFormat.count(trainable))/\(NumberFormat.count(total)) train"
    let inner = Box(title: Panel.layers.title, focused: focused, key: "5", trailer: trailer)
      .draw(into: &buffer, in: rect)
    guard inner.width > 0, inner.height > 0 else { return }
    guard !groups.isEmpty else {
      let text = state.modelError.map { "model not ready: \($0)" } ?? "preparing the model…"
      buffer.put(
        TextFit.truncate(text, to: inner.width), x: inner.x, y: inner.y,
        style: Style(foreground: state.modelError == nil ? .dimText : .error))
      return
    }
    let plan = state.unfreezePlan
    let epoch = state.run?.lastStep?.epoch ?? 0
    let nameWidth = groups.map(\.count).max() ?? 4
    let top = max(0, state.layerIndex - inner.height + 1)
    // Head at the bottom reads like the network: input side first, as the groups are numbered.
    for row in 0..<min(inner.height, groups.count - top) {
      let index = top + row
      let group = groups[index]
      let frozen = state.isFrozen(group)
      var unfreezes: Int?
      if frozen, let start = plan.unfreezeEpoch[group] ?? nil, start > 1, start > epoch { unfreezes = start }
      LayerRow(
        name: group, trainable: !frozen, parameterCount: state.model?.parameterCounts[group] ?? 0,
        learningRateMultiplier: state.model?.learningRateMultiplier(
          of: group, decay: state.settings.layerLRDecay)
          ?? 1,
        gradientNorms: state.run?.gradientNorms[group] ?? [], unfreezesAtEpoch: unfreezes,
        focused: focused && index == state.layerIndex, nameWidth: nameWidth
      ).draw(into: &buffer, x: inner.x, y: inner.y + row, width: inner.width)
    }
  }
}
