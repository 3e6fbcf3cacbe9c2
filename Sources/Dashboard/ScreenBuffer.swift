/// A grid of styled character cells that the dashboard draws into and tests read back as text.
public struct ScreenBuffer: Equatable, Sendable {
  public private(set) var width: Int
  public private(set) var height: Int
  public private(set) var cells: [Cell]

  public init(width: Int, height: Int, fill: Cell = Cell()) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: fill, count: self.width * self.height)
  }

  /// The whole buffer as a rectangle, handy as the root of a layout.
  public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  /// Reads return a blank cell outside the grid and writes there are ignored, so widgets can clip freely.
  public subscript(x: Int, y: Int) -> Cell {
    get {
      guard x >= 0, y >= 0, x < width, y < height else { return Cell() }
      return cells[y * width + x]
    }
    set {
      guard x >= 0, y >= 0, x < width, y < height else { return }
      cells[y * width + x] = newValue
    }
  }

  /// Writes `text` from (x, y) to the right, clipped at the buffer's edge and at `maxWidth`;
  /// returns the column after the last character written (or that would have been written).
  @discardableResult
  public mutating func put(_ text: String, x: Int, y: Int, style: Style = Style(), maxWidth: Int? = nil)
    -> Int
  {
    guard y >= 0, y < height else { return x }
    let limit = min(width, x + (maxWidth ?? width))
    var column = x
    for character in text {
      if column >= limit { break }
      // Control characters would move the real cursor and desynchronise the diff, so they are shown as '?'.
      // The first UTF-8 byte is below 0x80 exactly when the first scalar is ASCII.
      let first = character.utf8.first ?? 0
      let shown: Character = first < 0x20 || first == 0x7F ? "?" : character
      if column >= 0 { self[column, y] = Cell(character: shown, style: style) }
      column += 1
    }
    return column
  }

  public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, cell: Cell = Cell()) {
    for row in max(0, y)..<max(max(0, y), min(height, y + h)) {
      for column in max(0, x)..<max(max(0, x), min(width, x + w)) { self[column, row] = cell }
    }
  }

  public mutating func fill(_ rect: Rect, cell: Cell = Cell()) {
    fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, cell: cell)
  }

  /// Changes only the style of the cells in `rect`, keeping their characters (e.g. to highlight a row).
  public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
    for row in max(0, rect.y)..<max(max(0, rect.y), min(height, rect.maxY)) {
      for column in max(0, rect.x)..<max(max(0, rect.x), min(width, rect.maxX)) {
        change(&cells[row * width + column].style)
      }
    }
  }

  /// Calls `body` with every cell that differs from `previous`, row by row, left to right; with
  /// every cell when there is no previous frame or its size differs. The terminal draws exactly
  /// these cells, and the frame benchmark times this same loop.
  public func forEachChange(since previous: ScreenBuffer?, _ body: (_ x: Int, _ y: Int, _ cell: Cell) -> Void)
  {
    let old = previous.flatMap { $0.width == width && $0.height == height ? $0.cells : nil }
    for y in 0..<height {
      for x in 0..<width {
        let index = y * width + x
        if let old, old[index] == cells[index] { continue }
        body(x, y, cells[index])
      }
    }
  }

  /// The plain characters, one line per row, trailing spaces kept so golden files show the layout.
  public var text: String {
    (0..<height).map { line($0) }.joined(separator: "\n")
  }

  /// One row's characters, for tests that look at a single line.
  public func line(_ row: Int) -> String {
    guard row >= 0, row < height else { return "" }
    return String((0..<width).map { cells[row * width + $0].character })
  }
}

/// One character cell: a single-column grapheme and how it is drawn.
///
/// The grapheme is kept as up to four Unicode scalars in plain integers rather than as a
/// `Character`, so a cell is trivially copyable: filling, copying and diffing a 200×60 buffer then
/// costs no reference counting (a `Character` made every cell copy a retain/release pair, which
/// took most of a frame's time). Four scalars is what the terminal draws of a grapheme anyway.
public struct Cell: Equatable, Sendable {
  /// The first scalar's value.
  private var head: UInt32
  /// Scalars two to four, 21 bits each, each stored as value + 1 so that 0 means "no more".
  private var tail: UInt64
  public var style: Style

  public init(character: Character = " ", style: Style = Style()) {
    (head, tail) = Cell.pack(character)
    self.style = style
  }

  /// A cell holding one scalar, built without going through `Character` (braille charts).
  public init(scalar: Unicode.Scalar, style: Style = Style()) {
    head = scalar.value
    tail = 0
    self.style = style
  }

  public var character: Character {
    get {
      // Single-scalar cells (nearly all of them) skip building a String.
      guard tail != 0 else { return Character(Unicode.Scalar(head).unsafelyUnwrapped) }
      var text = String.UnicodeScalarView()
      forEachScalar { text.append($0) }
      return Character(String(text))
    }
    set { (head, tail) = Cell.pack(newValue) }
  }

  /// Calls `body` with each stored scalar of the grapheme, in order.
  public func forEachScalar(_ body: (Unicode.Scalar) -> Void) {
    body(Unicode.Scalar(head).unsafelyUnwrapped)
    var rest = tail
    while rest != 0 {
      body(Unicode.Scalar(UInt32(rest & 0x1F_FFFF) - 1).unsafelyUnwrapped)
      rest >>= 21
    }
  }

  private static func pack(_ character: Character) -> (UInt32, UInt64) {
    // Decoded from UTF-8 by hand: the Unicode.Scalar view validated every index and was the
    // larger part of drawing a braille chart.
    var bytes = character.utf8.makeIterator()
    func nextScalar() -> UInt32? {
      guard let lead = bytes.next() else { return nil }
      if lead < 0x80 { return UInt32(lead) }
      let continuation = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1
      var value = UInt32(lead) & (0x3F >> continuation)
      for _ in 0..<continuation { value = value << 6 | UInt32((bytes.next() ?? 0x80) & 0x3F) }
      return value
    }
    let head = nextScalar() ?? 0x20
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while shift < 63, let scalar = nextScalar() {
      tail |= UInt64(scalar + 1) << shift
      shift += 21
    }
    return (head, tail)
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

/// What a colour means on screen; a theme maps each role to an actual colour (see `themeSlot`).
public enum ColorRole: String, CaseIterable, Hashable, Sendable {
  case background, text, title, highlight, selection, selectionText, dimText, border
  case train, validation, learningRate, marker, best, warning, error, good, frozen, trainable

  /// The btop-style slot name used for this role in `themes/*.theme` files.
  public var themeSlot: String {
    switch self {
    case .background: "main_bg"
    case .text: "main_fg"
    case .title: "title"
    case .highlight: "hi_fg"
    case .selection: "selected_bg"
    case .selectionText: "selected_fg"
    case .dimText: "inactive_fg"
    case .border: "div_line"
    case .train: "graph_train"
    case .validation: "graph_val"
    case .learningRate: "lr_curve"
    case .marker: "marker"
    case .best: "best"
    case .warning: "warning"
    case .error: "error"
    case .good: "good"
    case .frozen: "frozen"
    case .trainable: "trainable"
    }
  }

  /// The role for a theme slot name, or nil when the name is not a slot tunetop knows.
  public init?(themeSlot: String) {
    guard let role = ColorRole.allCases.first(where: { $0.themeSlot == themeSlot }) else { return nil }
    self = role
  }
}
