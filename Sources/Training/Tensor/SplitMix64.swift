import Foundation

/// A small, fast, seedable random generator, so that a run is reproducible from its `seed`.
///
/// SplitMix64 (Steele, Lea & Flood 2014). Its whole state is one `UInt64`, which makes it trivial
/// to save in a checkpoint and restore.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
  public var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The generator `draws` calls of `next()` from now: the state is a counter, so the jump is one
  /// multiply-add. Lets two threads draw disjoint parts of one stream.
  public func advanced(by draws: Int) -> SplitMix64 {
    var copy = self
    copy.state &+= UInt64(draws) &* 0x9E37_79B9_7F4A_7C15
    return copy
  }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextUnitDouble() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A standard normal sample in double precision (Box–Muller).
  public mutating func nextGaussianDouble() -> Double {
    let u1 = max(nextUnitDouble(), 1e-300)
    let u2 = nextUnitDouble()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// A standard normal sample (Box–Muller), rounded to `Float`.
  public mutating func nextGaussian() -> Float { Float(nextGaussianDouble()) }

  /// The generator that shuffles a run's training samples. It has its own stream, so that changing
  /// e.g. dropout does not change the sample order; the LR range test draws the same batches.
  public static func sampleOrder(seed: Int) -> SplitMix64 {
    SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
  }

  /// Fisher–Yates shuffle driven by this generator, identical on every platform.
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      let j = Int(next() % UInt64(i + 1))
      array.swapAt(i, j)
    }
  }
}
