/// fastai's `valley` suggestion for an LR range test: the learning rate two thirds of the way down
/// the longest descending stretch of the smoothed loss curve.
public enum ValleyRule {
  /// The index into `losses` that fastai's `valley` picks, or nil for an empty curve.
  ///
  /// The "longest valley" is the longest strictly decreasing subsequence (not necessarily
  /// contiguous) ending at each point, found in O(n²) as fastai does; ties keep the earliest end.
  /// The pick lies `⌊s⌋ + ⌊s/2⌋` points after the valley's start, where `s` is a third of its span.
  public static func index(losses: [Double]) -> Int? {
    let count = losses.count
    guard count > 0 else { return nil }
    var lengths = [Int](repeating: 1, count: count)
    var start = 0
    var end = 0
    for i in 1..<max(1, count) {
      for j in 0..<i {
        if losses[i] < losses[j] && lengths[i] < lengths[j] + 1 {
          lengths[i] = lengths[j] + 1
        }
        if lengths[end] < lengths[i] {
          end = i
          start = end - lengths[end]
        }
      }
    }
    let sections = Double(end - start) / 3
    let index = start + Int(sections) + Int(sections / 2)
    return min(max(index, 0), count - 1)
  }

  /// The points fastai feeds to `valley`: it drops the first tenth of the planned steps (the loss
  /// has not moved yet) and the last five recorded ones (where it is blowing up).
  public static func consideredRange(recorded: Int, plannedSteps: Int) -> Range<Int> {
    let lower = plannedSteps / 10
    let upper = recorded - 5
    return lower < upper ? lower..<upper : 0..<0
  }
}
