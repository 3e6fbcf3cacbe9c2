import CNcursesw
import Dashboard

/// Maps curses function-key codes (`KEY_UP`, `KEY_F(5)`, …) to `Key`.
enum KeyCodes {
  static func functionKey(_ code: Int32) -> Key? {
    switch code {
    case KEY_UP: .up
    case KEY_DOWN: .down
    case KEY_LEFT: .left
    case KEY_RIGHT: .right
    case KEY_ENTER: .enter
    case KEY_BACKSPACE: .backspace
    case KEY_DC: .delete
    case KEY_HOME, KEY_A1: .home
    case KEY_END, KEY_C1: .end
    case KEY_PPAGE, KEY_A3: .pageUp
    case KEY_NPAGE, KEY_C3: .pageDown
    case KEY_BTAB: .backTab
    case tt_key_resize(): .resize
    case (tt_key_f0() + 1)...(tt_key_f0() + 63): .function(Int(code - tt_key_f0()))
    default: nil
    }
  }
}
