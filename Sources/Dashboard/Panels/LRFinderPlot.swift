import Training

/// The LR range test in the Learning rate panel: smoothed loss against log-LR as it grows, then the
/// valley rule's suggestion marked on the curve and named in the title with the key that copies it.
struct LRFinderPlot {
  var finder: LRFinderView
  var focused: Bool

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let test = finder.test
    let trailers: [String]
    switch finder.phase {
    case .running:
      let step = "step \(finder.points.count)/\(test.steps)"
      trailers = ["LR range test · \(step) · L cancels", "LR test · \(step)", step]
    case .finished:
      if let text = finder.suggestionText {
        let done = finder.applied ? "✓ in form" : "a: use it"
        let short = finder.applied ? "✓ in form" : "a uses"
        trailers = [
          "suggested \(text) · \(done) · Esc back", "suggested \(text) · \(done)", "◆ \(text) · \(short)",
          "◆ \(text)",
        ]
      } else {
        trailers = ["no valley: loss diverged · Esc back", "no valley · Esc", "no valley"]
      }
    case .failed:
      trailers = ["LR range test failed · Esc back", "failed"]
    }
    // The box's edge, key, spaces and corner take nine columns besides the title.
    let room = rect.width - Panel.learningRate.title.count - 9
    let inner = Box(
      title: Panel.learningRate.title, focused: focused, key: "4",
      trailer: trailers.first { $0.count <= room }
    )
    .draw(into: &buffer, in: rect)
    guard inner.width > 6, inner.height >= 2 else { return }
    if let error = finder.error {
      buffer.put(
        TextFit.truncate(error, to: inner.width - 1), x: inner.x + 1, y: inner.y,
        style: Style(foreground: .error))
      return
    }
    let points = finder.points.filter { $0.learningRate > 0 && $0.smoothedLoss.isFinite }
    guard !points.isEmpty else {
      buffer.put("preparing the model…", x: inner.x + 1, y: inner.y, style: Style(foreground: .dimText))
      return
    }
    let curve = points.map { (x: Log10.of($0.learningRate), y: $0.smoothedLoss) }
    var markers: [BrailleChart.VerticalMarker] = []
    var symbols: [BrailleChart.PointMarker] = []
    if let index = finder.suggestedIndex, finder.points.indices.contains(index) {
      let point = finder.points[index]
      let x = Log10.of(point.learningRate)
      markers.append(BrailleChart.VerticalMarker(x: x, role: .best))
      symbols.append(BrailleChart.PointMarker(x: x, y: point.smoothedLoss, symbol: "◆", role: .best))
    } else if finder.isRunning, let last = curve.last {
      symbols.append(BrailleChart.PointMarker(x: last.x, y: last.y, symbol: "●", role: .highlight))
    }
    // Past the valley the loss climbs to several times the plateau before it; capped a little above
    // the plateau (skipping the first tenth, whose average rests on a few batches, as the valley rule
    // does), the valley keeps most of the height instead of a sliver at the bottom.
    let losses = curve.map(\.y)
    let skip = losses.count > test.steps / 10 ? test.steps / 10 : 0
    let considered = losses[skip...]
    let minimum = considered.min() ?? 0
    let lowest = considered.firstIndex(of: minimum) ?? skip
    let plateau = considered[skip...lowest].max() ?? minimum
    let ceiling = plateau + (plateau - minimum) * 0.5
    let top = max(minimum, min(considered.max() ?? minimum, ceiling))
    // A flat start would put three equal labels on the axis; a tenth of the value is the least span.
    let yRange = min(minimum, top * 0.9)...top
    let low = Log10.of(test.startLearningRate)
    let high = Log10.of(test.endLearningRate)
    BrailleChart(
      series: [BrailleChart.Series(points: curve, role: .learningRate)], xRange: low...high, yRange: yRange,
      verticalMarkers: markers, pointMarkers: symbols,
      xLabels: (
        "lr " + NumberFormat.compact(test.startLearningRate), NumberFormat.compact(test.endLearningRate)
      )
    )
    .draw(into: &buffer, in: inner)
  }
}
