import Training

/// The LR range test as the Learning rate panel shows it: the curve so far, then the suggested rate.
public struct LRFinderView: Equatable, Sendable {
  /// Whether the test thread is still stepping, has reported its result, or could not start.
  public enum Phase: Equatable, Sendable {
    case running, finished, failed
  }

  public var phase: Phase = .running
  public var test: LRRangeTest
  /// Smoothed loss by learning rate, one point per step, as the test thread recorded them.
  public var points: [LRRangePoint] = []
  /// The valley rule's pick; nil while running or when the loss diverged before a valley showed.
  public var suggestion: Double?
  public var suggestedIndex: Int?
  /// The test ended because the smoothed loss passed 4× its minimum, not after all its steps.
  public var stoppedEarly = false
  /// Why the test could not run (the model or data would not prepare).
  public var error: String?
  /// The suggestion is in the form now.
  public var applied = false

  public init(test: LRRangeTest = LRRangeTest()) {
    self.test = test
  }

  public var isRunning: Bool { phase == .running }

  /// The suggestion as the form shows and takes it (`3.2e-3`): two digits are all a valley rule knows.
  public var suggestionText: String? { suggestion.map(NumberFormat.compact) }
}
