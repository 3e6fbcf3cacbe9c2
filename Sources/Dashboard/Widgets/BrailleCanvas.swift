/// A dot grid two dots wide and four tall per cell, rendered with the Unicode braille block (U+2800).
struct BrailleCanvas {
  /// Bit for the dot at (column 0…1, row 0…3) inside a cell, as Unicode numbers braille dots:
  /// 0x01 0x02 0x04 0x40 down the left column, 0x08 0x10 0x20 0x80 down the right. Computed rather
  /// than read from a nested array, which cost a retain and release per dot.
  static func dotBit(column: Int, row: Int) -> UInt8 {
    row < 3 ? UInt8(1) << (row + 3 * column) : UInt8(0x40) << column
  }

  let columns: Int
  let rows: Int
  private(set) var bits: [UInt8]
  private(set) var roles: [ColorRole?]

  init(columns: Int, rows: Int) {
    self.columns = max(0, columns)
    self.rows = max(0, rows)
    bits = Array(repeating: 0, count: self.columns * self.rows)
    roles = Array(repeating: nil, count: self.columns * self.rows)
  }

  var pixelWidth: Int { columns * 2 }
  var pixelHeight: Int { rows * 4 }

  /// Sets one dot; dots outside the canvas are ignored so lines may run off the edge.
  mutating func set(_ px: Int, _ py: Int, role: ColorRole) {
    guard px >= 0, py >= 0, px < pixelWidth, py < pixelHeight else { return }
    let index = (py / 4) * columns + px / 2
    bits[index] |= BrailleCanvas.dotBit(column: px % 2, row: py % 4)
    roles[index] = role
  }

  /// A straight line between two dots (Bresenham), both ends included.
  mutating func line(from start: (Int, Int), to end: (Int, Int), role: ColorRole) {
    var (x0, y0) = start
    let (x1, y1) = end
    let dx = abs(x1 - x0)
    let dy = -abs(y1 - y0)
    let stepX = x0 < x1 ? 1 : -1
    let stepY = y0 < y1 ? 1 : -1
    var error = dx + dy
    while true {
      set(x0, y0, role: role)
      if x0 == x1 && y0 == y1 { break }
      let doubled = 2 * error
      if doubled >= dy {
        error += dy
        x0 += stepX
      }
      if doubled <= dx {
        error += dx
        y0 += stepY
      }
    }
  }

  /// The braille scalar for a cell, or nil when no dot is set there.
  func scalar(column: Int, row: Int) -> Unicode.Scalar? {
    let value = bits[row * columns + column]
    guard value != 0 else { return nil }
    return Unicode.Scalar(0x2800 + UInt32(value))
  }

  func role(column: Int, row: Int) -> ColorRole? { roles[row * columns + column] }
}
