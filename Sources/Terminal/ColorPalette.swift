import CNcursesw
import Dashboard

/// Turns theme colours into curses colour numbers and (foreground, background) pairs, allocated lazily.
///
/// Truecolor works two ways: a direct-colour terminfo entry (COLORS ≥ 2²⁴) takes 0xRRGGBB as the colour
/// number; otherwise, when the terminal can redefine its palette, each theme colour gets its own palette slot
/// via `init_extended_color` (ncurses restores the palette on `endwin`). Anything else maps to 256 or 8.
struct ColorPalette {
  enum Mode: Equatable {
    case none, ansi8, xterm256, direct, redefined
  }

  private(set) var mode: Mode
  private var theme: Theme
  private var pairs: [PairKey: Int32] = [:]
  private var slots: [RGB: Int32] = [:]
  private var nextPair: Int32 = 1
  private var nextSlot: Int32 = 16

  private struct PairKey: Hashable {
    var foreground: ColorRole
    var background: ColorRole
  }

  init(depth: ColorDepth, theme: Theme, colors: Int, canChangeColors: Bool) {
    self.theme = theme
    switch depth {
    case .none: mode = .none
    case .ansi8: mode = .ansi8
    case .xterm256: mode = colors >= 256 ? .xterm256 : .ansi8
    case .truecolor:
      if colors >= 1 << 24 {
        mode = .direct
      } else if canChangeColors && colors >= 256 {
        mode = .redefined
      } else {
        mode = colors >= 256 ? .xterm256 : .ansi8
      }
    }
  }

  /// The depth actually in use after what the terminal allows.
  var effectiveDepth: ColorDepth {
    switch mode {
    case .none: .none
    case .ansi8: .ansi8
    case .xterm256: .xterm256
    case .direct, .redefined: .truecolor
    }
  }

  /// The pair for a style's roles, defining it on first use; 0 (terminal default) when colour is off or
  /// pairs have run out.
  mutating func pair(for style: Style) -> Int32 {
    guard mode != .none else { return 0 }
    let key = PairKey(foreground: style.foreground, background: style.background)
    if let pair = pairs[key] { return pair }
    guard nextPair < Int32(tt_color_pairs()) else { return 0 }
    let pair = nextPair
    nextPair += 1
    init_extended_pair(pair, colorNumber(theme[style.foreground]), colorNumber(theme[style.background]))
    pairs[key] = pair
    return pair
  }

  private mutating func colorNumber(_ color: ThemeColor) -> Int32 {
    guard case .rgb(let rgb) = color else { return -1 }  // -1 is the terminal default (use_default_colors)
    switch mode {
    case .none: return -1
    case .ansi8: return Int32(ColorMapping.ansi8Index(rgb))
    case .xterm256: return Int32(ColorMapping.xterm256Index(rgb))
    case .direct: return Int32(rgb.red) << 16 | Int32(rgb.green) << 8 | Int32(rgb.blue)
    case .redefined:
      if let slot = slots[rgb] { return slot }
      guard nextSlot < Int32(tt_colors()) else { return Int32(ColorMapping.xterm256Index(rgb)) }
      let slot = nextSlot
      nextSlot += 1
      func scale(_ channel: UInt8) -> Int32 { Int32(channel) * 1000 / 255 }
      init_extended_color(slot, scale(rgb.red), scale(rgb.green), scale(rgb.blue))
      slots[rgb] = slot
      return slot
    }
  }
}
