import Training

/// Builds the Loss and Accuracy panels from the run history in `state`.
struct MetricPanels {
  var state: DashboardState

  func loss() -> MetricPanel {
    make(
      panel: .loss, steps: state.run?.stepLoss, train: \.trainLoss, validation: \.validationLoss,
      higherIsBetter: false,
      format: NumberFormat.compact, logScale: state.logScale)
  }

  func accuracy() -> MetricPanel {
    var panel = make(
      panel: .accuracy, steps: state.run?.stepAccuracy, train: \.trainAccuracy,
      validation: \.validationAccuracy,
      higherIsBetter: true,
      format: NumberFormat.percent, logScale: false)
    // The overfitting call belongs to the loss; accuracy shows the test score once the run is over.
    panel.overfittingOnset = nil
    if let test = state.run?.summary?.testAccuracy, test.isFinite {
      panel.note = "test \(NumberFormat.percent(test)) (best checkpoint)"
      panel.noteRole = .good
    }
    return panel
  }

  // Functions rather than key paths: reading through a KeyPath per epoch cost ~10% of a frame.
  private func make(
    panel: Panel, steps: BucketedSeries?, train: (EpochMetrics) -> Double,
    validation: @escaping (EpochMetrics) -> Double, higherIsBetter: Bool,
    format: @escaping (Double) -> String, logScale: Bool
  ) -> MetricPanel {
    let run = state.run
    let epochs = run?.chartEpochs ?? []
    let point = { (metrics: EpochMetrics) in
      MetricPanel.EpochPoint(position: metrics.position, step: metrics.step, value: validation(metrics))
    }
    let onset = run?.overfittingOnset.flatMap { position in epochs.first { $0.position == position } }.map(
      point)
    var trailer: [String] = []
    if logScale { trailer.append("log") }
    if state.smoothing { trailer.append("EMA \(NumberFormat.compact(state.smoothingWeight))") }
    let note: String
    switch run?.phase {
    case nil: note = "press s to start; curves appear here"
    case .starting?: note = "starting…"
    default: note = epochs.isEmpty ? "first epoch running…" : ""
    }
    // Another trainer's run does not say how many steps it will take (its start shows only the
    // steps done so far), so the x axis grows with the steps drawn rather than clip them.
    return MetricPanel(
      panel: panel, focused: state.focus == panel,
      trainSteps: (steps?.buckets ?? []).map { (Double($0.lastX), $0.mean) },
      trainEpochs: epochs.map(train),
      validation: epochs.map(point), best: run?.bestEpoch.map(point), higherIsBetter: higherIsBetter,
      format: format, logScale: logScale, smoothingWeight: state.smoothing ? state.smoothingWeight : nil,
      overfittingOnset: onset, hotEditSteps: run?.hotEdits.map(\.step) ?? [],
      totalSteps: run?.start.map { max($0.totalSteps, run?.lastStep?.step ?? 0, epochs.last?.step ?? 0) },
      note: note,
      trailer: trailer.isEmpty ? nil : trailer.joined(separator: " · "))
  }
}
