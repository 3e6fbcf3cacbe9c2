/// Inverted dropout: in training each value is kept with probability 1 - rate and scaled by
/// 1/(1 - rate), so evaluation is the identity and needs no rescaling.
public final class Dropout: Layer {
  public var parameterIndices: [Int] { [] }

  /// Probability of dropping a value; mutable because it is hot-edited during a run. A rate of 0
  /// or less is the identity, 1 or more drops everything.
  public var rate: Float

  private var rng: SplitMix64
  /// The generator's whole state, saved in checkpoints so a resumed run draws the same masks.
  public var rngState: UInt64 {
    get { rng.state }
    set { rng.state = newValue }
  }

  /// Per-value factor (0 or 1/(1-rate)) of the last training forward; unused when `masked` is false.
  private var mask: [Float] = []
  /// False after an evaluation or zero-rate forward, whose backward is the identity.
  private var masked = false
  private var shape = (rows: 0, cols: 0)
  private(set) var output = Matrix(rows: 0, cols: 0)
  /// Stays 0×0 until an input gradient is asked for, which lets tests see that none was computed.
  private(set) var inputGradient = Matrix(rows: 0, cols: 0)

  public init(rate: Float, seed: UInt64) {
    self.rate = rate
    self.rng = SplitMix64(seed: seed)
  }

  public func forward(_ input: Matrix, training: Bool) -> Matrix {
    shape = (input.rows, input.cols)
    masked = training && rate > 0
    guard masked else { return input }
    let count = input.count
    // Resized in place (keeping capacity) so a short last batch does not reallocate every epoch.
    if mask.count > count {
      mask.removeLast(mask.count - count)
    } else if mask.count < count {
      mask.append(contentsOf: repeatElement(0, count: count - mask.count))
    }
    let keep: Float = rate < 1 ? 1 / (1 - rate) : 0
    // nextUnitFloat() >= rate, compared on the 24 random bits themselves: u = bits·2⁻²⁴ exactly, so
    // u >= rate ⇔ bits >= rate·2²⁴ (exact in Float) ⇔ bits >= ⌈rate·2²⁴⌉. Same draws, same masks.
    let threshold = UInt64((min(rate, 1) * 16_777_216).rounded(.up))
    var generator = rng
    mask.withUnsafeMutableBufferPointer { m in
      for i in 0..<count { m[i] = generator.next() >> 40 >= threshold ? keep : 0 }
    }
    rng = generator
    output.reshape(rows: input.rows, cols: input.cols)
    input.storage.withUnsafeBufferPointer { x in
      mask.withUnsafeBufferPointer { m in
        output.storage.withUnsafeMutableBufferPointer { y in
          Elementwise.multiply(count: count, x.baseAddress!, m.baseAddress!, y.baseAddress!)
        }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix? {
    guard needsInputGradient else { return nil }
    precondition(outputGradient.rows == shape.rows && outputGradient.cols == shape.cols)
    guard masked else { return outputGradient }
    inputGradient.reshape(rows: shape.rows, cols: shape.cols)
    outputGradient.storage.withUnsafeBufferPointer { g in
      mask.withUnsafeBufferPointer { m in
        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
          Elementwise.multiply(count: g.count, g.baseAddress!, m.baseAddress!, dx.baseAddress!)
        }
      }
    }
    return inputGradient
  }
}
