import Training

/// What the `L` key, the keys over its plot, and the app loop running the LR range test do.
public enum LRFinderAction: Sendable {
  /// `L`: start the test, or cancel it / close its plot when one is shown.
  case toggle
  /// Copy the suggested rate into `learning_rate`.
  case applySuggestion
  /// Close the plot (cancelling a running test) and show the schedule again.
  case dismiss
  // Reports from the app loop
  case progress([LRRangePoint])
  case finished(LRRangeTestResult)
  case failed(String)
}
