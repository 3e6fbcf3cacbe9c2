import Testing

@testable import Dashboard

@Test func noColorWinsOverEverything() {
  #expect(
    ColorDepth.detect(environment: ["NO_COLOR": "1", "COLORTERM": "truecolor"], terminalColors: 256) == .none)
  #expect(
    ColorDepth.detect(environment: ["NO_COLOR": "yes", "TUNETOP_COLOR": "256"], terminalColors: 256) == .none)
  // An empty NO_COLOR does not count, as the convention says.
  #expect(ColorDepth.detect(environment: ["NO_COLOR": ""], terminalColors: 256) == .xterm256)
}

@Test func colortermAndTerminfoDecide() {
  #expect(ColorDepth.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 256) == .truecolor)
  #expect(ColorDepth.detect(environment: ["COLORTERM": "24bit"], terminalColors: 8) == .truecolor)
  #expect(ColorDepth.detect(environment: ["COLORTERM": "yes"], terminalColors: 256) == .xterm256)
  #expect(ColorDepth.detect(environment: [:], terminalColors: 1 << 24) == .truecolor)
  #expect(ColorDepth.detect(environment: [:], terminalColors: 256) == .xterm256)
  #expect(ColorDepth.detect(environment: [:], terminalColors: 88) == .ansi8)
  #expect(ColorDepth.detect(environment: [:], terminalColors: 8) == .ansi8)
  #expect(ColorDepth.detect(environment: [:], terminalColors: 2) == .none)
  #expect(ColorDepth.detect(environment: ["COLORTERM": "truecolor"], terminalColors: -1) == .none)
}

@Test func explicitOverride() {
  #expect(ColorDepth.detect(environment: ["TUNETOP_COLOR": "8"], terminalColors: 256) == .ansi8)
  #expect(ColorDepth.detect(environment: ["TUNETOP_COLOR": "none"], terminalColors: 256) == .none)
  #expect(ColorDepth.detect(environment: ["TUNETOP_COLOR": "truecolor"], terminalColors: 8) == .truecolor)
}
