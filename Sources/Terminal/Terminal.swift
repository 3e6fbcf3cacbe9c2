import CNcursesw
import Dashboard

/// The only code that talks to ncurses: it owns the screen and flushes `ScreenBuffer`s to it.
public enum Terminal {
  /// The ncurses version string, proving the C module links.
  public static var cursesVersion: String { String(cString: curses_version()) }
}
