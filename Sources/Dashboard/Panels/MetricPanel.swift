import Training

/// The Loss or Accuracy panel: train and validation sparklines with latest and best values, a line about
/// the best epoch and overfitting, and a braille chart over the run's steps when there is room.
struct MetricPanel {
  /// A point of a per-epoch series, placed on the step axis.
  struct EpochPoint {
    /// Where the evaluation happened, in epochs (`2.5` mid-epoch); it tells evaluations apart.
    var position: Double
    var step: Int
    var value: Double
  }

  var panel: Panel
  var focused: Bool
  /// Per-step train values (bucket means), x = step.
  var trainSteps: [(x: Double, y: Double)]
  /// Per-epoch train values, aligned with `validation` so the two sparklines compare column by column.
  var trainEpochs: [Double]
  var validation: [EpochPoint]
  /// The best epoch by validation loss (the checkpoint that is kept).
  var best: EpochPoint?
  var higherIsBetter: Bool
  var format: (Double) -> String
  var logScale: Bool
  var smoothingWeight: Double?
  var overfittingOnset: EpochPoint?
  var hotEditSteps: [Int]
  var totalSteps: Int?
  /// The note under the sparklines when there is nothing else to say.
  var note: String
  var noteRole: ColorRole = .dimText
  var trailer: String?

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let inner = Box(title: panel.title, focused: focused, key: "\(panel.rawValue)", trailer: trailer)
      .draw(into: &buffer, in: rect)
    guard inner.width > 10, inner.height > 0 else { return }
    let rawTrain = trainSteps.map(\.y)
    let train = smooth(rawTrain)
    let trainSpark = smooth(trainEpochs)
    let validationValues = smooth(validation.map(\.value))

    // Each sparkline has its own scale, so a small rise in validation loss (the start of the U) shows
    // even when train loss has fallen by decades; the braille chart below puts both on one axis.
    func range(_ values: [Double]) -> (Double?, Double?) {
      let finite = values.filter { $0.isFinite && (!logScale || $0 > 0) }
      return (finite.min(), finite.max())
    }
    let (trainLow, trainHigh) = range(trainSpark)
    let (validationLow, validationHigh) = range(validationValues)
    let valueWidth = 18
    let labelWidth = 6
    let sparkWidth = max(0, inner.width - labelWidth - valueWidth - 1)
    drawRow(
      &buffer, label: "train", role: .train, values: trainSpark,
      latest: trainEpochs.last(where: \.isFinite), bestValue: bestOf(trainEpochs), x: inner.x, y: inner.y,
      sparkWidth: sparkWidth, low: trainLow, high: trainHigh,
      markColumn: nil)
    if inner.height >= 2 {
      let bestIndex = best.flatMap { point in validation.firstIndex { $0.position == point.position } }
      drawRow(
        &buffer, label: "val", role: .validation, values: validationValues,
        latest: validation.last(where: { $0.value.isFinite })?.value, bestValue: best?.value, x: inner.x,
        y: inner.y + 1,
        sparkWidth: sparkWidth, low: validationLow, high: validationHigh,
        markColumn: bestIndex.map { column(ofIndex: $0, count: validation.count, width: sparkWidth) })
    }
    if inner.height >= 3 { drawNote(&buffer, x: inner.x, y: inner.y + 2, width: inner.width) }
    let chartHeight = inner.height - 3
    if chartHeight >= 3, !trainSteps.isEmpty || !validation.isEmpty {
      chart(train: train, raw: rawTrain).draw(
        into: &buffer, in: Rect(x: inner.x, y: inner.y + 3, width: inner.width, height: chartHeight))
    }
  }

  private func smooth(_ values: [Double]) -> [Double] {
    smoothingWeight.map { Smoothing.ema(values, weight: $0) } ?? values
  }

  private func bestOf(_ values: [Double]) -> Double? {
    let finite = values.filter(\.isFinite)
    return higherIsBetter ? finite.max() : finite.min()
  }

  /// The sparkline column that shows value `index` of `count`, matching `Sparkline`'s downsampling.
  private func column(ofIndex index: Int, count: Int, width: Int) -> Int {
    guard count > width, width > 0 else { return index }
    return min(width - 1, index * width / count)
  }

  private func drawRow(
    _ buffer: inout ScreenBuffer, label: String, role: ColorRole, values: [Double], latest: Double?,
    bestValue: Double?, x: Int, y: Int, sparkWidth: Int, low: Double?, high: Double?, markColumn: Int?
  ) {
    buffer.put(TextFit.pad(label, to: 6), x: x, y: y, style: Style(foreground: role, bold: true))
    if sparkWidth > 0 {
      if values.isEmpty {
        buffer.put(
          String(repeating: "·", count: sparkWidth), x: x + 6, y: y, style: Style(foreground: .dimText))
      } else {
        Sparkline(
          values: values, minimum: low, maximum: high, logScale: logScale, style: Style(foreground: role)
        )
        .draw(into: &buffer, x: x + 6, y: y, width: sparkWidth)
      }
      if let markColumn, markColumn < sparkWidth {
        buffer.restyle(Rect(x: x + 6 + markColumn, y: y, width: 1, height: 1)) {
          $0.foreground = .best
          $0.bold = true
        }
      }
    }
    let valueX = x + 6 + sparkWidth + 1
    let latestText = latest.map(format) ?? "--"
    buffer.put(TextFit.pad(latestText, to: 6, alignRight: true), x: valueX, y: y, style: Style(bold: true))
    buffer.put(" best ", x: valueX + 6, y: y, style: Style(foreground: .dimText))
    buffer.put(
      TextFit.pad(bestValue.map(format) ?? "--", to: 6, alignRight: true), x: valueX + 12, y: y,
      style: Style(foreground: .best))
  }

  private func drawNote(_ buffer: inout ScreenBuffer, x: Int, y: Int, width: Int) {
    var column = x
    let end = x + width
    if let best {
      column = buffer.put(
        "◆ best ep \(EpochPosition.text(best.position)) (\(format(best.value)))", x: column, y: y,
        style: Style(foreground: .best),
        maxWidth: end - column)
      column += 2
    }
    if let onset = overfittingOnset, column < end {
      column = buffer.put(
        TextFit.truncate("⚠ overfit since ep \(EpochPosition.text(onset.position))", to: end - column),
        x: column, y: y,
        style: Style(foreground: .warning, bold: true))
    } else if column < end, !note.isEmpty {
      buffer.put(
        TextFit.truncate(note, to: end - column), x: column, y: y, style: Style(foreground: noteRole))
    }
  }

  private func chart(train: [Double], raw: [Double]) -> BrailleChart {
    var series: [BrailleChart.Series] = []
    if smoothingWeight != nil {
      // The raw line stays visible, dimmed, so smoothing never hides a spike.
      series.append(BrailleChart.Series(points: zip(trainSteps, raw).map { ($0.0.x, $0.1) }, role: .dimText))
    }
    series.append(BrailleChart.Series(points: zip(trainSteps, train).map { ($0.0.x, $0.1) }, role: .train))
    series.append(
      BrailleChart.Series(points: validation.map { (Double($0.step), $0.value) }, role: .validation))
    var markers = hotEditSteps.map { BrailleChart.VerticalMarker(x: Double($0), role: .marker) }
    if let onset = overfittingOnset {
      markers.append(BrailleChart.VerticalMarker(x: Double(onset.step), role: .warning))
    }
    let points = best.map { [BrailleChart.PointMarker(x: Double($0.step), y: $0.value)] } ?? []
    let hasData = !trainSteps.isEmpty || !validation.isEmpty
    return BrailleChart(
      series: series, xRange: hasData ? totalSteps.map { 0...Double(max(1, $0)) } : nil, logY: logScale,
      verticalMarkers: markers, pointMarkers: points,
      xLabels: totalSteps.map { ("step 0", "\($0)") })
  }
}
