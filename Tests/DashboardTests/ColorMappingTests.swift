import Testing

@testable import Dashboard

@Test func cubeColoursMapToThemselves() {
  for index in stride(from: 16, through: 255, by: 7) {
    #expect(ColorMapping.xterm256Index(ColorMapping.rgb(ofXterm256: index)) == index)
  }
}

@Test func xterm256NearestEntries() {
  #expect(ColorMapping.xterm256Index(RGB(255, 0, 0)) == 196)
  #expect(ColorMapping.xterm256Index(RGB(0, 0, 0)) == 16)
  #expect(ColorMapping.xterm256Index(RGB(255, 255, 255)) == 231)
  #expect(ColorMapping.xterm256Index(RGB(128, 128, 128)) == 244)  // the grey ramp has 128 exactly
  #expect(ColorMapping.xterm256Index(RGB(0xFF, 0x8C, 0x1A)) == 208)
  #expect(ColorMapping.xterm256Index(RGB(0x4C, 0x9B, 0xE8)) == 68)
}

@Test func ansi8NearestColours() {
  #expect(ColorMapping.ansi8Index(RGB(0, 0, 0)) == 0)
  #expect(ColorMapping.ansi8Index(RGB(250, 20, 20)) == 1)
  #expect(ColorMapping.ansi8Index(RGB(20, 250, 20)) == 2)
  #expect(ColorMapping.ansi8Index(RGB(0xF0, 0xE4, 0x42)) == 3)
  #expect(ColorMapping.ansi8Index(RGB(10, 10, 200)) == 4)
  #expect(ColorMapping.ansi8Index(RGB(0, 200, 210)) == 6)
  #expect(ColorMapping.ansi8Index(RGB(255, 255, 255)) == 7)
}

@Test func everyThemeColourHasA256AndAn8ColourIndex() {
  for role in ColorRole.allCases {
    guard case .rgb(let rgb) = Theme.builtInDefault[role] else { continue }
    #expect((16...255).contains(ColorMapping.xterm256Index(rgb)))
    #expect((0...7).contains(ColorMapping.ansi8Index(rgb)))
  }
}
