/// A one-row chart of values drawn with the eight block heights ▁▂▃▄▅▆▇█.
public struct Sparkline: Sendable {
  /// What to do when there are more values than columns.
  public enum Overflow: Sendable {
    /// Average the values into one bucket per column, so the whole history is shown.
    case downsample
    /// Show only the last `width` values, so the chart scrolls like `top`.
    case mostRecent
  }

  public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  public var values: [Double]
  /// Fixed bottom of the scale; the smallest finite value when nil.
  public var minimum: Double?
  /// Fixed top of the scale; the largest finite value when nil.
  public var maximum: Double?
  /// Scale by log10, for losses and gradient norms that span decades; values ≤ 0 are left blank.
  public var logScale: Bool
  public var overflow: Overflow
  public var style: Style

  public init(
    values: [Double], minimum: Double? = nil, maximum: Double? = nil, logScale: Bool = false,
    overflow: Overflow = .downsample, style: Style = Style()
  ) {
    self.values = values
    self.minimum = minimum
    self.maximum = maximum
    self.logScale = logScale
    self.overflow = overflow
    self.style = style
  }

  /// The characters for `width` columns, left-aligned; missing, NaN and infinite values become spaces.
  public func characters(width: Int) -> [Character] {
    levelIndices(width: width).map { $0.map { Sparkline.levels[$0] } ?? " " }
  }

  /// Draws into row `y` from column `x` over `width` columns.
  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int, width: Int) {
    // Cells straight from scalars: going through Character costs a UTF-8 decode per cell.
    for (offset, level) in levelIndices(width: width).enumerated() {
      buffer[x + offset, y] = Cell(scalar: level.map { Sparkline.levelScalars[$0] } ?? " ", style: style)
    }
  }

  static let levelScalars: [Unicode.Scalar] = levels.map { $0.unicodeScalars.first! }

  /// The level 0…7 of each of `width` columns, nil where nothing is drawn.
  func levelIndices(width: Int) -> [Int?] {
    guard width > 0 else { return [] }
    let columns = columnValues(width: width).map { $0.flatMap(transform) }
    let finite = columns.compactMap { $0 }
    let low = minimum.flatMap(transform) ?? finite.min()
    let high = maximum.flatMap(transform) ?? finite.max()
    guard let low, let high else { return Array(repeating: nil, count: width) }
    return columns.map { value in value.map { Sparkline.level($0, low: low, high: high) } }
  }

  /// The value shown in each column (nil where nothing is drawn), before scaling.
  func columnValues(width: Int) -> [Double?] {
    if values.count <= width {
      return values.map { $0.isFinite ? $0 : nil } + Array(repeating: nil, count: width - values.count)
    }
    switch overflow {
    case .mostRecent:
      return values.suffix(width).map { $0.isFinite ? $0 : nil }
    case .downsample:
      // Summed in place, in the same order as before, without a bucket array per column.
      return (0..<width).map { column in
        let start = column * values.count / width
        let end = (column + 1) * values.count / width
        var sum = 0.0
        var count = 0
        for value in values[start..<end] where value.isFinite {
          sum += value
          count += 1
        }
        return count == 0 ? nil : sum / Double(count)
      }
    }
  }

  func transform(_ value: Double) -> Double? {
    guard value.isFinite else { return nil }
    if logScale {
      guard value > 0 else { return nil }
      return Log10.of(value)
    }
    return value
  }

  /// The level index 0…7 for `value` on the scale low…high; a flat scale sits in the middle.
  static func level(_ value: Double, low: Double, high: Double) -> Int {
    guard high > low else { return 3 }
    let fraction = (min(max(value, low), high) - low) / (high - low)
    return min(7, max(0, Int((fraction * 7).rounded())))
  }
}
