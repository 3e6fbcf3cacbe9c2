/// One row of a confusion matrix as shaded cells: the darker the cell, the larger its share of the
/// row (the true class's samples); the diagonal is drawn in the good colour, mistakes in the warning
/// colour, and an empty cell as a dim dot. Wide cells also print the count.
public struct ConfusionCells: Sendable {
  /// Counts of the row, one per predicted class.
  public var counts: [Int]
  /// The row's true class, whose cell is the diagonal.
  public var diagonal: Int
  /// Columns per cell, at least 1; from 4 up the count is printed after the shade.
  public var cellWidth: Int

  public static let shades: [Character] = ["░", "▒", "▓", "█"]

  public init(counts: [Int], diagonal: Int, cellWidth: Int) {
    self.counts = counts
    self.diagonal = diagonal
    self.cellWidth = max(1, cellWidth)
  }

  /// The shade of a count that is `fraction` of its row: under 10%, 30%, 60%, and above.
  public static func shade(_ fraction: Double) -> Character {
    switch fraction {
    case ..<0.1: shades[0]
    case ..<0.3: shades[1]
    case ..<0.6: shades[2]
    default: shades[3]
    }
  }

  public var width: Int { counts.count * cellWidth }

  public func draw(into buffer: inout ScreenBuffer, x: Int, y: Int) {
    let total = counts.reduce(0, +)
    for (column, count) in counts.enumerated() {
      let left = x + column * cellWidth
      guard count > 0 else {
        buffer.put(
          TextFit.pad("·", to: cellWidth, alignRight: cellWidth >= 4), x: left, y: y,
          style: Style(foreground: .dimText))
        continue
      }
      let glyph = Self.shade(Double(count) / Double(max(1, total)))
      let role: ColorRole = column == diagonal ? .good : .warning
      let text: String
      if cellWidth >= 4 {
        let number = TextFit.pad(String(count), to: cellWidth - 2, alignRight: true)
        text = " " + String(glyph) + (number.count > cellWidth - 2 ? "+" : number)
      } else {
        // A space after the shade keeps neighbouring cells apart.
        text = String(repeating: glyph, count: max(1, cellWidth - 1)) + (cellWidth > 1 ? " " : "")
      }
      buffer.put(text, x: left, y: y, style: Style(foreground: role, bold: column == diagonal))
    }
  }
}
