import Training

/// The reducer's half for the LR range test: `L` asks the app loop to run it, its points come back as
/// actions, and nothing in the settings changes until the suggestion is copied.
extension Reducer {
  mutating func applyLRFinder(_ action: LRFinderAction) {
    switch action {
    case .toggle:
      if state.lrFinder != nil {
        closeLRFinder()
      } else {
        startLRFinder()
      }
    case .dismiss: closeLRFinder()
    case .applySuggestion: applyLRSuggestion()
    case .progress(let points):
      guard state.lrFinder?.isRunning == true else { return }
      state.lrFinder?.points = points
    case .finished(let result):
      guard var finder = state.lrFinder, finder.isRunning else { return }
      finder.phase = .finished
      finder.points = result.points
      finder.suggestion = result.suggestedLearningRate
      finder.suggestedIndex = result.suggestedIndex
      finder.stoppedEarly = result.stoppedEarly
      state.lrFinder = finder
      if let text = finder.suggestionText {
        state.message = StatusMessage(
          "suggested learning_rate \(text) (valley rule); a copies it into the form, Esc closes the plot",
          .success)
      } else {
        state.message = StatusMessage(
          "no suggestion: the loss diverged before a valley showed; lower the rates or unfreeze less",
          .warning)
      }
    case .failed(let reason):
      guard state.lrFinder != nil else { return }
      state.lrFinder?.phase = .failed
      state.lrFinder?.error = reason
      state.message = StatusMessage("LR range test: \(reason)", .error)
    }
  }

  mutating func startLRFinder() {
    if state.isRunActive {
      state.message = StatusMessage(
        "stop the run first (s): the LR range test trains from the base model and needs the cores", .warning)
      return
    }
    if state.search.isRunning {
      state.message = StatusMessage(
        "a search is running; its trials use the cores. Stop it in the Search view (S, then s) first",
        .warning)
      return
    }
    guard settingsAreValid(else: "cannot run the LR range test") else { return }
    let finder = LRFinderView()
    state.lrFinder = finder
    state.screen = .main
    state.overlay = nil
    let frozen = state.settings.frozen.isEmpty ? "none" : state.settings.frozen.joined(separator: ",")
    state.message = StatusMessage(
      "LR range test: lr \(NumberFormat.compact(finder.test.startLearningRate))→\(NumberFormat.compact(finder.test.endLearningRate)) over ≤\(finder.test.steps) steps, frozen: \(frozen); the settings stay as they are"
    )
    effects.append(.startLRFinder(state.settings))
  }

  mutating func closeLRFinder() {
    guard let finder = state.lrFinder else { return }
    if finder.isRunning { effects.append(.cancelLRFinder) }
    state.lrFinder = nil
    state.message = StatusMessage(
      finder.isRunning ? "LR range test cancelled" : "back to the schedule preview")
  }

  mutating func applyLRSuggestion() {
    guard let finder = state.lrFinder, let text = finder.suggestionText else {
      state.message = StatusMessage(
        state.lrFinder?.isRunning == true ? "the LR range test is still running" : "no suggestion to copy",
        .warning)
      return
    }
    let key = ConfigKey.learningRate
    if let reason = state.lockReason(key) {
      state.message = StatusMessage("\(key.name) is \(reason)", .warning)
      return
    }
    var candidate = state.settings
    do throws(ConfigError) {
      try candidate.set(key, from: text)
    } catch {
      refuse(key, error.message)
      return
    }
    guard accept(candidate, changing: key) else { return }
    state.lrFinder?.applied = true
    state.formIndex = state.formKeys.firstIndex(of: key) ?? state.formIndex
    if !state.isRunActive {
      state.message = StatusMessage("learning_rate → \(text) from the LR range test", .success)
    }
  }
}
