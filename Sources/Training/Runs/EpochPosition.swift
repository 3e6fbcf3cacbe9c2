import Foundation

/// Where in training an evaluation happened, in epochs, as `metrics.csv` and `classes.csv` write it:
/// `3` at the end of epoch 3, `2.5` halfway through epoch 3 (Hugging Face's `log_history` counts
/// the same way).
///
/// A mid-epoch position is cut (not rounded) to enough decimals that it can never read as the end of
/// an epoch, and the trainer keeps the value it wrote, so a run read back from its files and the
/// run as the trainer saw it hold the same numbers.
public enum EpochPosition {
  /// The position after `stepInEpoch` of `stepsPerEpoch` optimizer steps of epoch `epoch`
  /// (counted from 1); `Double(epoch)` once the epoch is complete.
  public static func of(epoch: Int, stepInEpoch: Int, stepsPerEpoch: Int) -> Double {
    guard stepInEpoch > 0, stepInEpoch < stepsPerEpoch else {
      return Double(stepInEpoch <= 0 ? epoch - 1 : epoch)
    }
    return Double(text(epoch: epoch, stepInEpoch: stepInEpoch, stepsPerEpoch: stepsPerEpoch))!
  }

  /// How a position is written: an integer for an epoch's end, else the fewest decimals that show it.
  public static func text(_ position: Double) -> String {
    if position == position.rounded(.down), abs(position) < 1e15 { return String(Int(position)) }
    var text = String(format: "%.6f", position)
    while text.hasSuffix("0") { text.removeLast() }
    return text
  }

  /// The cell of a mid-epoch evaluation: with 10·stepsPerEpoch ≤ 10^decimals, one step is at least
  /// ten units of the last decimal, so the cut value lies strictly between the two epoch ends.
  static func text(epoch: Int, stepInEpoch: Int, stepsPerEpoch: Int) -> String {
    var decimals = 2
    var scale = 100
    while scale < 10 * stepsPerEpoch {
      decimals += 1
      scale *= 10
    }
    // Integer arithmetic: floor(stepInEpoch / stepsPerEpoch · scale) exactly.
    let fraction = stepInEpoch * scale / stepsPerEpoch
    var digits = String(fraction)
    digits = String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return "\(epoch - 1).\(digits)"
  }

  /// Reads an `epoch` cell: the epoch the evaluation belongs to (in progress for a mid-epoch one)
  /// and, for a mid-epoch one, its position. Nil for a cell that is not a non-negative number.
  public static func parse(_ cell: Substring) -> (epoch: Int, midEpoch: Double?)? {
    let text = cell.trimmingCharacters(in: .whitespaces)
    if let whole = Int(text) { return whole >= 0 ? (whole, nil) : nil }
    guard let value = Double(text), value.isFinite, value >= 0, value < 1e15 else { return nil }
    let whole = value.rounded(.down)
    return value == whole ? (Int(whole), nil) : (Int(whole) + 1, value)
  }
}
