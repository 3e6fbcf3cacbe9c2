/// Nearest-colour mapping from 24-bit theme colours to the xterm 256-colour and 8-colour ANSI palettes.
public enum ColorMapping {
  /// The six channel levels of the xterm 6×6×6 colour cube (indices 16…231).
  static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

  /// xterm's standard values for ANSI colours 0…7 (black, red, green, yellow, blue, magenta, cyan, white).
  public static let ansi8Palette: [RGB] = [
    RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0),
    RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
  ]

  /// The xterm-256 index (16…255) nearest to `color`: the best of the colour cube and the grey ramp.
  /// Indices 0…15 are skipped because terminals redefine them freely.
  public static func xterm256Index(_ color: RGB) -> Int {
    let channels = [Int(color.red), Int(color.green), Int(color.blue)]
    let cube = channels.map { value in
      cubeLevels.indices.min { abs(cubeLevels[$0] - value) < abs(cubeLevels[$1] - value) }!
    }
    let cubeColor = RGB(UInt8(cubeLevels[cube[0]]), UInt8(cubeLevels[cube[1]]), UInt8(cubeLevels[cube[2]]))
    let cubeIndex = 16 + 36 * cube[0] + 6 * cube[1] + cube[2]
    // Grey ramp 232…255 is 8, 18, …, 238.
    let average = channels.reduce(0, +) / 3
    let greyStep = min(23, max(0, (average - 8 + 5) / 10))
    let greyValue = UInt8(8 + 10 * greyStep)
    let grey = RGB(greyValue, greyValue, greyValue)
    return distance(color, grey) < distance(color, cubeColor) ? 232 + greyStep : cubeIndex
  }

  /// The ANSI colour number 0…7 nearest to `color`.
  public static func ansi8Index(_ color: RGB) -> Int {
    ansi8Palette.indices.min { distance(color, ansi8Palette[$0]) < distance(color, ansi8Palette[$1]) }!
  }

  /// The 24-bit value of an xterm-256 index, for tests and previews.
  public static func rgb(ofXterm256 index: Int) -> RGB {
    if index >= 232 {
      let value = UInt8(8 + 10 * (index - 232))
      return RGB(value, value, value)
    }
    if index >= 16 {
      let n = index - 16
      return RGB(UInt8(cubeLevels[n / 36]), UInt8(cubeLevels[n / 6 % 6]), UInt8(cubeLevels[n % 6]))
    }
    return ansi8Palette[index % 8]
  }

  /// Squared distance weighted for human perception ("redmean"), cheap and good enough for palettes.
  static func distance(_ a: RGB, _ b: RGB) -> Int {
    let meanRed = (Int(a.red) + Int(b.red)) / 2
    let dr = Int(a.red) - Int(b.red)
    let dg = Int(a.green) - Int(b.green)
    let db = Int(a.blue) - Int(b.blue)
    return (((512 + meanRed) * dr * dr) >> 8) + 4 * dg * dg + (((767 - meanRed) * db * db) >> 8)
  }
}
