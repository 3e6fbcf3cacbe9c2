import CNcursesw
import Dashboard

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Owns the real terminal while the dashboard runs: starts curses, flushes `ScreenBuffer` diffs, decodes keys,
/// and always gives the terminal back (normal exit, thrown errors, SIGINT/SIGTERM/SIGHUP, crashes).
///
/// Use it from one thread (the UI loop); it is deliberately not `Sendable`.
public final class TerminalSession {
  public private(set) var isStarted = false
  /// The colour depth in use after what the terminal and the environment allow.
  public private(set) var colorDepth: ColorDepth = .none

  private let environment: [String: String]
  private var screen: OpaquePointer?
  private var palette = ColorPalette(depth: .none, theme: .builtInDefault, colors: 0, canChangeColors: false)
  private var theme: Theme
  private var previous: ScreenBuffer?
  private var needsFullRedraw = true
  private var currentTimeout: Int32 = -2

  public init(theme: Theme = .builtInDefault, environment: [String: String]) {
    self.theme = theme
    self.environment = environment
  }

  deinit { stop() }

  /// Starts a session, runs `body`, and stops it whatever happens (return, throw); the usual entry point.
  public static func run<Result>(
    theme: Theme = .builtInDefault, environment: [String: String], _ body: (TerminalSession) throws -> Result
  ) throws -> Result {
    let session = TerminalSession(theme: theme, environment: environment)
    try session.start()
    defer { session.stop() }
    return try body(session)
  }

  /// Takes over the terminal. Throws, with the terminal untouched, when stdin/stdout are not TTYs or TERM
  /// is unknown.
  public func start() throws(TerminalError) {
    guard !isStarted else { throw .alreadyStarted }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
    guard let term = environment["TERM"], !term.isEmpty else { throw .termNotSet }
    setlocale(LC_ALL, "")  // before curses starts, or wide characters come out as garbage
    // Installed before newterm so ncurses does not install its own SIGINT/SIGTERM handlers (it only does
    // when they are SIG_DFL); ncurses keeps handling SIGTSTP/SIGCONT (suspend/resume) and SIGWINCH.
    SignalFlag.install()
    guard let screen = newterm(term, tt_stdout(), tt_stdin()) else {
      SignalFlag.restore()
      throw .unknownTerminal(term)
    }
    self.screen = screen
    set_term(screen)
    isStarted = true
    set_escdelay(25)
    cbreak()
    noecho()
    nonl()
    keypad(tt_stdscr(), true)
    leaveok(tt_stdscr(), true)
    curs_set(0)
    defineExtraKeys()
    setUpColors()
    needsFullRedraw = true
    previous = nil
  }

  /// Gives the terminal back; safe to call more than once and from error paths.
  public func stop() {
    guard isStarted else { return }
    isStarted = false
    // After a hangup the terminal is gone: the restore sequences would go nowhere (EIO at best).
    if !inputClosed { endwin() }
    if let screen { delscreen(screen) }
    screen = nil
    SignalFlag.restore()
  }

  /// The terminal size in cells (columns, rows).
  public var size: (width: Int, height: Int) {
    guard isStarted else { return (0, 0) }
    return (Int(tt_cols()), Int(tt_lines()))
  }

  /// True once SIGINT, SIGTERM or SIGHUP arrived; the loop should stop and return (the flag stays set).
  public var interruptRequested: Bool { SignalFlag.pending != nil }

  /// Which signal arrived (SIGINT, SIGTERM or SIGHUP), so SIGINT can mean "quit?" and SIGTERM "exit now".
  public var pendingSignal: Int32? { SignalFlag.pending }

  /// True when the terminal has gone away (SSH dropped, tmux pane killed): reads would fail at once forever,
  /// so the loop must treat it like SIGHUP instead of spinning.
  public var inputClosed: Bool {
    var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, 0) >= 0 else { return false }
    return descriptor.revents & Int16(POLLHUP | POLLNVAL | POLLERR) != 0
  }

  /// Forgets a received interrupt, e.g. after asking "quit while a run is active?" and hearing no.
  public func clearInterrupt() { SignalFlag.clear() }

  /// Switches theme; every colour pair is rebuilt and the next flush redraws everything.
  public func setTheme(_ theme: Theme) {
    self.theme = theme
    if isStarted { setUpColors() }
    needsFullRedraw = true
  }

  /// Draws the cells that changed since the last flush (everything after a resize or theme change).
  public func flush(_ buffer: ScreenBuffer) {
    guard isStarted else { return }
    let rows = min(buffer.height, Int(tt_lines()))
    let columns = min(buffer.width, Int(tt_cols()))
    let full =
      needsFullRedraw || previous == nil || previous?.width != buffer.width
      || previous?.height != buffer.height
    if full {
      werase(tt_stdscr())
      clearok(tt_stdscr(), true)
    }
    buffer.forEachChange(since: full ? nil : previous) { x, y, cell in
      if x < columns && y < rows { draw(cell, x: x, y: y) }
    }
    wnoutrefresh(tt_stdscr())
    doupdate()
    previous = buffer
    needsFullRedraw = false
  }

  /// Waits up to `timeoutMilliseconds` (0 polls, negative blocks) for a key; nil on timeout, on an
  /// interrupting signal, and for keys with no `Key`.
  public func readKey(timeoutMilliseconds: Int) -> Key? {
    guard isStarted, SignalFlag.pending == nil else { return nil }
    let timeout = Int32(clamping: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds)
    if timeout != currentTimeout {
      wtimeout(tt_stdscr(), timeout)
      currentTimeout = timeout
    }
    var code: wint_t = 0
    let status = wget_wch(tt_stdscr(), &code)
    if status == tt_err() { return nil }
    if status == tt_key_code_yes() {
      let key = KeyCodes.functionKey(Int32(bitPattern: UInt32(code)))
      if key == .resize { needsFullRedraw = true }
      return key
    }
    return Key(characterCode: UInt32(code))
  }

  // MARK: - Private

  private func setUpColors() {
    // COLORS is only known after start_color, so colour is started whenever the terminal has any;
    // with depth `.none` every cell still uses pair 0, the terminal's own colours.
    if has_colors() {
      start_color()
      use_default_colors()
    }
    let colors = has_colors() ? Int(tt_colors()) : 0
    let depth = ColorDepth.detect(environment: environment, terminalColors: colors)
    palette = ColorPalette(
      depth: depth, theme: theme, colors: colors, canChangeColors: depth != .none && can_change_color())
    colorDepth = palette.effectiveDepth
  }

  /// Home/End and friends arrive in several dialects (xterm, rxvt, screen/tmux); terminfo knows only the
  /// one for TERM, so the common others are taught too. Without this, Home inside tmux with a mismatched
  /// TERM arrives as Esc [ 1 ~.
  private func defineExtraKeys() {
    let extra: [(String, Int32)] = [
      ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
      ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END),
      ("\u{1B}[Z", KEY_BTAB), ("\u{1B}[3~", KEY_DC), ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE),
      ("\u{1B}[A", KEY_UP), ("\u{1B}[B", KEY_DOWN), ("\u{1B}[C", KEY_RIGHT), ("\u{1B}[D", KEY_LEFT),
      ("\u{1B}OA", KEY_UP), ("\u{1B}OB", KEY_DOWN), ("\u{1B}OC", KEY_RIGHT), ("\u{1B}OD", KEY_LEFT),
    ]
    for (sequence, code) in extra where key_defined(sequence) == 0 {
      define_key(sequence, code)
    }
  }

  private func draw(_ cell: Cell, x: Int, y: Int) {
    var attributes = tt_a_normal()
    if cell.style.bold { attributes |= tt_a_bold() }
    if cell.style.dim { attributes |= tt_a_dim() }
    if cell.style.underline { attributes |= tt_a_underline() }
    var reverse = cell.style.reverse
    // Without colour a selection background would vanish; reverse video keeps the selected row visible.
    if palette.mode == .none && cell.style.background == .selection { reverse.toggle() }
    if reverse { attributes |= tt_a_reverse() }
    let pair = palette.pair(for: cell.style)
    // A cell holds at most four scalars; the fifth slot terminates the wide string.
    var text: (wchar_t, wchar_t, wchar_t, wchar_t, wchar_t) = (0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &text) { raw in
      let slots = raw.bindMemory(to: wchar_t.self)
      var count = 0
      cell.forEachScalar { scalar in
        slots[count] = wchar_t(bitPattern: scalar.value)
        count += 1
      }
    }
    _ = withUnsafePointer(to: &text) { pointer in
      pointer.withMemoryRebound(to: wchar_t.self, capacity: 5) {
        tt_put_cell(Int32(y), Int32(x), $0, attributes, pair)
      }
    }
  }
}
