/// TensorBoard's debiased exponential moving average, so smoothed curves match what people know.
public enum Smoothing {
  /// `values` smoothed with `weight` (0 = raw, 0.99 = very smooth); non-finite values pass through.
  public static func ema(_ values: [Double], weight: Double) -> [Double] {
    guard weight > 0 else { return values }
    var last = 0.0
    var decay = 1.0
    return values.map { value in
      guard value.isFinite else { return value }
      decay *= weight
      last = last * weight + (1 - weight) * value
      // Debiasing removes the pull towards 0 of the first points.
      return last / (1 - decay)
    }
  }
}
