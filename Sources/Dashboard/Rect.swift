/// A rectangle of cells inside a `ScreenBuffer`, the region a widget draws into.
public struct Rect: Hashable, Sendable {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var isEmpty: Bool { width == 0 || height == 0 }

  /// The rectangle shrunk by `amount` on every side (a box's interior).
  public func inset(by amount: Int) -> Rect {
    Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
  }

  /// Splits off `count` columns on the left; returns (left, rest).
  public func splitLeft(_ count: Int) -> (Rect, Rect) {
    let left = min(max(0, count), width)
    return (
      Rect(x: x, y: y, width: left, height: height),
      Rect(x: x + left, y: y, width: width - left, height: height)
    )
  }

  /// Splits off `count` rows at the top; returns (top, rest).
  public func splitTop(_ count: Int) -> (Rect, Rect) {
    let top = min(max(0, count), height)
    return (
      Rect(x: x, y: y, width: width, height: top),
      Rect(x: x, y: y + top, width: width, height: height - top)
    )
  }
}
