import Training

/// One row per layer group: frozen or trainable, size, LR multiplier, live gradient norm, and when
/// gradual unfreezing will wake a frozen group. More groups than rows (a BERT's embeddings, blocks and
/// head at 80×24) scroll with the selection, with ▲/▼ on the edge and the range shown in the title.
struct LayersPanel {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let groups = state.groups
    let focused = state.focus == .layers
    let total = groups.reduce(0) { $0 + (state.model?.parameterCounts[$1] ?? 0) }
    let trainable = groups.filter { !state.isFrozen($0) }.reduce(0) {
      $0 + (state.model?.parameterCounts[$1] ?? 0)
    }
    let counts = "\(NumberFormat.count(trainable))/\(NumberFormat.count(total)) train"
    let visible = max(1, rect.height - 2)
    let top = Scrolling.top(state.layersTop, keeping: state.layerIndex, rows: visible, count: groups.count)
    let scrolls = groups.count > visible
    var trailer: String? = groups.isEmpty ? nil : counts
    if scrolls {
      let range = "\(top + 1)–\(min(groups.count, top + visible)) of \(groups.count)"
      // The frame, key and title take 14 columns and the Box drops a trailer that does not fit;
      // the range matters more than the sizes.
      let both = "\(range) · \(counts)"
      trailer = both.count < rect.width - 14 ? both : range
    }
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
    // A column on the right for the scroll marks when the list does not fit.
    let rowWidth = scrolls ? inner.width - 1 : inner.width
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
      ).draw(into: &buffer, x: inner.x, y: inner.y + row, width: rowWidth)
    }
    guard scrolls else { return }
    let mark = Style(foreground: .highlight)
    if top > 0 { buffer.put("▲", x: inner.maxX - 1, y: inner.y, style: mark) }
    if top + inner.height < groups.count {
      buffer.put("▼", x: inner.maxX - 1, y: inner.maxY - 1, style: mark)
    }
  }
}
