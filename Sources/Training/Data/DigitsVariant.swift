/// How the built-in task alters the 8×8 digits, giving the fine-tuning target its domain shift.
public enum DigitsVariant: String, CaseIterable, Sendable {
  /// The digits as pretrained on.
  case clean
  /// A thicker pen: 2×2 grey dilation (each pixel becomes the max of itself and its right, lower and
  /// lower-right neighbours), so strokes grow one pixel up and left.
  case thick
  /// White on black becomes black on white: `1 - x`.
  case inverted

  /// The variant named by a `task` setting such as `thick-digits`, or nil for a non-digits task.
  public init?(task: String) {
    guard task.hasSuffix("-digits"), let variant = DigitsVariant(rawValue: String(task.dropLast(7))) else {
      return nil
    }
    self = variant
  }

  /// Applies the variant to rows of 8×8 images with pixels in [0, 1].
  public func apply(to images: Matrix) -> Matrix {
    switch self {
    case .clean:
      return images
    case .inverted:
      return Matrix(rows: images.rows, cols: images.cols, storage: images.storage.map { 1 - $0 })
    case .thick:
      let side = DigitsTask.imageSide
      precondition(images.cols == side * side, "thick expects \(side)×\(side) images")
      var out = images
      for image in 0..<images.rows {
        let base = image * images.cols
        for i in 0..<side {
          for j in 0..<side {
            // The window is clipped at the border, so the last row/column only look at themselves.
            var value = images.storage[base + i * side + j]
            for r in i...min(i + 1, side - 1) {
              for c in j...min(j + 1, side - 1) { value = max(value, images.storage[base + r * side + c]) }
            }
            out.storage[base + i * side + j] = value
          }
        }
      }
      return out
    }
  }
}
