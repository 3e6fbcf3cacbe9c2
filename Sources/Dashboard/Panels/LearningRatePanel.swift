import Training

/// The whole learning-rate schedule (warmup included) over the run's steps, redrawn on every edit,
/// with a marker at the current step and at every hot edit during a run; for another trainer's
/// watched run, the rate its steps reported.
struct LearningRatePanel {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    if let finder = state.lrFinder {
      LRFinderPlot(finder: finder, focused: state.focus == .learningRate).draw(into: &buffer, in: rect)
      return
    }
    if state.watchesAnotherTrainer {
      drawReported(into: &buffer, in: rect)
      return
    }
    let settings = state.settings
    let stepsPerEpoch = state.stepsPerEpoch ?? estimatedStepsPerEpoch(settings)
    let schedule = LearningRateSchedule(settings, stepsPerEpoch: stepsPerEpoch)
    let current = state.run?.lastStep
    let warmup = settings.warmupEpochs > 0 ? " · warmup \(settings.warmupEpochs) ep" : ""
    let now = current.map { "now " + NumberFormat.compact($0.learningRate) + " · " } ?? ""
    // The most telling trailer that fits beside the title: the live rate first, then the schedule.
    let candidates = [
      now + settings.schedule.rawValue + warmup + " · \(stepsPerEpoch) steps/ep",
      now + settings.schedule.rawValue + warmup, now + settings.schedule.rawValue,
      now.isEmpty ? "" : String(now.dropLast(3)),
    ]
    let room = rect.width - Panel.learningRate.title.count - 8
    let trailer = candidates.first { $0.count <= room } ?? ""
    let inner = Box(
      title: Panel.learningRate.title, focused: state.focus == .learningRate, key: "4", trailer: trailer
    )
    .draw(into: &buffer, in: rect)
    guard inner.width > 6, inner.height >= 2 else { return }
    let total = max(1, schedule.totalSteps)
    let curve = schedule.curve(points: max(2, inner.width * 2))
    var markers: [BrailleChart.VerticalMarker] = []
    var points: [BrailleChart.PointMarker] = []
    if let run = state.run {
      markers += run.hotEdits.map { BrailleChart.VerticalMarker(x: Double($0.step), role: .marker) }
    }
    if let current, state.isRunActive {
      markers.append(BrailleChart.VerticalMarker(x: Double(current.step), role: .highlight))
      points.append(
        BrailleChart.PointMarker(
          x: Double(current.step), y: current.learningRate, symbol: "●", role: .highlight))
    }
    let chart = BrailleChart(
      series: [BrailleChart.Series(points: curve.map { (Double($0.step), $0.lr) }, role: .learningRate)],
      xRange: 0...Double(max(1, total - 1)), yRange: nil, verticalMarkers: markers, pointMarkers: points,
      xLabels: ("step 0", "\(total) (\(settings.epochs) ep)"))
    chart.draw(into: &buffer, in: inner)
  }

  /// Another trainer's run: the rate each step ran at (steps.csv's learning_rate), since tunetop
  /// cannot know that trainer's schedule to preview it.
  private func drawReported(into buffer: inout ScreenBuffer, in rect: Rect) {
    let run = state.run
    let current = run?.lastStep
    let now = current.map { "now " + NumberFormat.compact($0.learningRate) }
    let candidates = [now.map { $0 + " · as reported" }, now, "as reported"].compactMap { $0 }
    let room = rect.width - Panel.learningRate.title.count - 8
    let inner = Box(
      title: Panel.learningRate.title, focused: state.focus == .learningRate, key: "4",
      trailer: candidates.first { $0.count <= room } ?? ""
    )
    .draw(into: &buffer, in: rect)
    guard inner.width > 6, inner.height >= 2 else { return }
    let buckets = run?.stepLearningRate.buckets ?? []
    guard let last = current?.step, !buckets.isEmpty else {
      buffer.put(
        TextFit.truncate("the rate appears as steps.csv grows", to: inner.width - 1), x: inner.x + 1,
        y: inner.y,
        style: Style(foreground: .dimText))
      return
    }
    let markers = (run?.hotEdits ?? []).map { BrailleChart.VerticalMarker(x: Double($0.step), role: .marker) }
    let chart = BrailleChart(
      series: [BrailleChart.Series(points: buckets.map { (Double($0.lastX), $0.mean) }, role: .learningRate)],
      xRange: 0...Double(max(1, last)), yRange: nil, verticalMarkers: markers, pointMarkers: [],
      xLabels: ("step 0", "\(last)"))
    chart.draw(into: &buffer, in: inner)
  }

  /// Before the model is prepared: the split as the task would make it, for a preview that is close.
  private func estimatedStepsPerEpoch(_ settings: HyperParameters) -> Int {
    // `all` is unknown until the file is read; a stand-in keeps the preview's step count sane.
    let samples = settings.trainSamples == HyperParameters.allSamples ? 1_000 : settings.trainSamples
    let train = max(1, Int((Double(samples) * (1 - settings.valFraction)).rounded()))
    return settings.stepsPerEpoch(trainSamples: train)
  }
}
