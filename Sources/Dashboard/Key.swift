/// A decoded key press, independent of ncurses so the key map and reducer can be tested without a terminal.
public enum Key: Hashable, Sendable {
  /// A printable character, including space.
  case character(Character)
  /// Ctrl plus a letter (other than the ones with their own case: Tab = C-i, Enter = C-m, Backspace = C-h).
  case control(Character)
  case up, down, left, right
  case enter, escape, tab, backTab, backspace, delete
  case home, end, pageUp, pageDown
  /// The terminal was resized; query the new size and redraw.
  case resize
  /// Ctrl-C arriving as a key (raw mode); in cbreak mode it arrives as SIGINT instead.
  case ctrlC
  /// F1…F63.
  case function(Int)

  /// A short human name for help screens and key hints ("↑", "Enter", "C-d", "F5", "q").
  public var displayName: String {
    switch self {
    case .character(" "): "Space"
    case .character(let c): String(c)
    case .control(let c): "C-\(c)"
    case .up: "↑"
    case .down: "↓"
    case .left: "←"
    case .right: "→"
    case .enter: "Enter"
    case .escape: "Esc"
    case .tab: "Tab"
    case .backTab: "S-Tab"
    case .backspace: "Bksp"
    case .delete: "Del"
    case .home: "Home"
    case .end: "End"
    case .pageUp: "PgUp"
    case .pageDown: "PgDn"
    case .resize: "Resize"
    case .ctrlC: "C-c"
    case .function(let n): "F\(n)"
    }
  }
}
