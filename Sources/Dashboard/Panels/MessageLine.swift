import Training

/// The line above the status bar: the latest message, else help for whatever has focus.
struct MessageLine {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, y: Int, width: Int) {
    if let message = state.message {
      buffer.put(
        TextFit.truncate(message.text, to: width - 1), x: 1, y: y,
        style: Style(foreground: message.role, bold: message.kind != .info))
      return
    }
    buffer.put(TextFit.truncate(contextHelp, to: width - 1), x: 1, y: y, style: Style(foreground: .dimText))
  }

  var contextHelp: String {
    switch state.screen {
    case .main: break
    case .runs:
      if state.editingRunsFilter {
        return "runs whose name, status or changed settings contain every word · Enter keep · Esc clear"
      }
      return state.runs.marked.count >= 2
        ? "c compares the \(state.runs.marked.count) marked runs · e exports them · u clears the marks"
        : "Space marks runs to compare · / filter · Enter checkpoints · r resume · f fork · e export · > < I sort"
    case .compare:
      return "a fork starts at its parent's epoch (dotted line); the legend lists only settings that differ"
    case .checkpoints:
      return "a checkpoint is kept each time validation loss improves; ◆ marks the best"
    case .search:
      return "Enter opens a trial's run · a copies its settings into the form · > < I sort · l log scale"
    }
    if state.editingRunName {
      return "run name: letters, digits and - _ . = + (others become _) · empty = \(state.effectiveRunName)"
    }
    switch state.focus {
    case .hyperparameters:
      let key = state.focusedKey
      if state.editor != nil { return "\(key.name) must be \(key.constraint) · Enter accept · Esc cancel" }
      if let reason = state.lockReason(key) { return "\(key.name) is \(reason)" }
      return "\(key.name): \(key.help) (default \(key.defaultValue.isEmpty ? "none" : key.defaultValue))"
    case .layers:
      let groups = state.groups
      guard state.layerIndex < groups.count else { return "the model's layer groups" }
      return
        "Space \(state.isFrozen(groups[state.layerIndex]) ? "unfreezes" : "freezes") \(groups[state.layerIndex])"
        + (state.isRunActive ? " from the next batch" : " (sets frozen)")
    case .loss:
      return "l log scale · m smoothing (EMA \(NumberFormat.compact(state.smoothingWeight)), raw dimmed)"
    case .accuracy: return "train and validation accuracy; ◆ marks the best epoch (lowest validation loss)"
    case .learningRate:
      if state.lrFinder != nil {
        return "smoothed loss by learning rate (log); ◆ the valley rule's pick · a uses it · Esc or L closes"
      }
      return "the schedule over every step of the run; it redraws as you edit · L runs an LR range test"
    }
  }
}
