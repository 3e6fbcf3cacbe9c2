import Testing

@testable import Dashboard

@Test func controlCodesDecode() {
  #expect(Key(characterCode: 10) == .enter)
  #expect(Key(characterCode: 13) == .enter)
  #expect(Key(characterCode: 9) == .tab)
  #expect(Key(characterCode: 27) == .escape)
  #expect(Key(characterCode: 127) == .backspace)
  #expect(Key(characterCode: 8) == .backspace)
  #expect(Key(characterCode: 3) == .ctrlC)
  #expect(Key(characterCode: 4) == .control("d"))
  #expect(Key(characterCode: 28) == nil)
}

@Test func printableAndWideCharactersDecode() {
  #expect(Key(characterCode: 0x71) == .character("q"))
  #expect(Key(characterCode: 0x20) == .character(" "))
  #expect(Key(characterCode: 0xE9) == .character("é"))
  #expect(Key(characterCode: 0x1F600) == .character("😀"))
  #expect(Key(characterCode: 0xD800) == nil)  // a lone surrogate is not a character
}

@Test func displayNames() {
  #expect(Key.character(" ").displayName == "Space")
  #expect(Key.up.displayName == "↑")
  #expect(Key.backTab.displayName == "S-Tab")
  #expect(Key.function(5).displayName == "F5")
  #expect(Key.control("d").displayName == "C-d")
}
