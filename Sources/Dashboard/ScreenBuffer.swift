/// A grid of styled character cells that the dashboard draws into and tests read back as text.
public struct ScreenBuffer: Equatable, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  public private(set) var cells: [Cell]

  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: Cell(), count: self.width * self.height)
  }

  public subscript(x: Int, y: Int) -> Cell {
    get { cells[y * width + x] }
    set {
      guard x >= 0, y >= 0, x < width, y < height else { return }
      cells[y * width + x] = newValue
    }
  }

  /// Writes `text` from (x, y) to the right, clipped at the buffer's edge and at `maxWidth`.
  public mutating func put(_ text: String, x: Int, y: Int, style: Style = Style(), maxWidth: Int? = nil) {
    guard y >= 0, y < height else { return }
    let limit = min(width, x + (maxWidth ?? width))
    var column = x
    for character in text {
      if column >= limit { break }
      if column >= 0 { self[column, y] = Cell(character: character, style: style) }
      column += 1
    }
  }

  public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, cell: Cell = Cell()) {
    for row in max(0, y)..<min(height, y + h) {
      for column in max(0, x)..<min(width, x + w) { self[column, row] = cell }
    }
  }

  /// The plain characters, one line per row, trailing spaces kept so golden files show the layout.
  public var text: String {
    (0..<height).map { row in String((0..<width).map { cells[row * width + $0].character }) }
      .joined(separator: "\n")
  }
}

/// One character cell: a single-column grapheme and how it is drawn.
public struct Cell: Equatable, Sendable {
  public var character: Character
  public var style: Style
  public init(character: Character = " ", style: Style = Style()) {
    self.character = character
    self.style = style
  }
}

/// How a cell is drawn: a theme colour role for foreground and background, and attributes.
public struct Style: Hashable, Sendable {
  public var foreground: ColorRole
  public var background: ColorRole
  public var bold: Bool
  public var reverse: Bool
  public var dim: Bool
  public var underline: Bool

  public init(
    foreground: ColorRole = .text, background: ColorRole = .background, bold: Bool = false,
    reverse: Bool = false, dim: Bool = false, underline: Bool = false
  ) {
    self.foreground = foreground
    self.background = background
    self.bold = bold
    self.reverse = reverse
    self.dim = dim
    self.underline = underline
  }
}

/// What a colour means on screen; a theme maps each role to an actual colour.
public enum ColorRole: String, CaseIterable, Hashable, Sendable {
  case background, text, dimText, title, border, focusBorder, selection
  case train, validation, learningRate, marker, best, warning, error, good, frozen, trainable
}
