/// How table features are scaled before the model sees them (`normalize`).
public enum Normalization: String, Codable, CaseIterable, Sendable {
  /// Zero mean and unit variance per feature, as scikit-learn's `StandardScaler`.
  case standard
  /// Each feature mapped to [0, 1] by its training minimum and maximum, as `MinMaxScaler`.
  case minmax
  /// Features used as written.
  case none

  /// Per-column `(offset, scale)` so that a feature becomes `(x - offset) / scale`, fitted on
  /// `matrix`'s rows. Columns in `unscaled` (one-hot) and constant columns keep scale 1.
  func fit(_ matrix: Matrix, unscaled: Set<Int>) -> (offsets: [Float], scales: [Float]) {
    let (rows, cols) = (matrix.rows, matrix.cols)
    var offsets = [Float](repeating: 0, count: cols)
    var scales = [Float](repeating: 1, count: cols)
    guard self != .none, rows > 0 else { return (offsets, scales) }
    for column in 0..<cols where !unscaled.contains(column) {
      switch self {
      case .standard:
        var sum = 0.0
        for row in 0..<rows { sum += Double(matrix.storage[row * cols + column]) }
        let mean = sum / Double(rows)
        var squares = 0.0
        for row in 0..<rows {
          let delta = Double(matrix.storage[row * cols + column]) - mean
          squares += delta * delta
        }
        // Population deviation, as StandardScaler; a constant column is only centred.
        let deviation = (squares / Double(rows)).squareRoot()
        offsets[column] = Float(mean)
        scales[column] = deviation > 0 ? Float(deviation) : 1
      case .minmax:
        var low = Float.infinity
        var high = -Float.infinity
        for row in 0..<rows {
          let value = matrix.storage[row * cols + column]
          low = min(low, value)
          high = max(high, value)
        }
        offsets[column] = low
        scales[column] = high > low ? high - low : 1
      case .none:
        break
      }
    }
    return (offsets, scales)
  }
}
