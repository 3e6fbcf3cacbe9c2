import CNcursesw
import Dashboard

/// Facts about the linked curses library; the live terminal is a `TerminalSession`.
public enum Terminal {
  /// The ncurses version string, proving the C module links.
  public static var cursesVersion: String { String(cString: curses_version()) }
}
