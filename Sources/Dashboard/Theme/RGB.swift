/// A 24-bit colour.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
  public var red: UInt8
  public var green: UInt8
  public var blue: UInt8

  public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// Parses `#rrggbb` or `#rgb` (case-insensitive); nil for anything else.
  public init?(hex: String) {
    guard hex.hasPrefix("#") else { return nil }
    let digits = hex.dropFirst().map { $0.hexDigitValue.map(UInt8.init) }
    guard digits.allSatisfy({ $0 != nil }) else { return nil }
    let d = digits.map { $0! }
    switch d.count {
    case 6: self.init(d[0] << 4 | d[1], d[2] << 4 | d[3], d[4] << 4 | d[5])
    case 3: self.init(d[0] * 17, d[1] * 17, d[2] * 17)
    default: return nil
    }
  }

  /// `#rrggbb` in lower case.
  public var hex: String {
    func two(_ value: UInt8) -> String {
      let text = String(value, radix: 16)
      return text.count == 1 ? "0" + text : text
    }
    return "#" + two(red) + two(green) + two(blue)
  }

  public var description: String { hex }
}
