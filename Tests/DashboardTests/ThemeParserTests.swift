import Foundation
import Testing

@testable import Dashboard

private func load(_ fixture: String) throws(ThemeError) -> ThemeParser.Result {
  try ThemeLoader.load(path: fixturePath(fixture))
}

private func messages(of error: ThemeError) -> [String] { error.diagnostics.map(\.description) }

@Test func badHexNamesFileLineValueAndExpectedForm() {
  #expect {
    _ = try load("bad-hex.theme")
  } throws: { error in
    let lines = messages(of: error as! ThemeError)
    return lines.count == 2
      && lines[0].hasSuffix(
        ##"bad-hex.theme:3: theme[title]: "#12345" is not a colour; expected "#rrggbb", "#rgb" or "" (terminal default)"##
      )
      && lines[1].contains(#"bad-hex.theme:4: theme[graph_train]: "blue" is not a colour"#)
  }
}

@Test func unknownSlotsAreWarningsWithSuggestions() throws {
  let result = try load("unknown-slot.theme")
  #expect(result.theme[.text] == .rgb(RGB(0xEE, 0xEE, 0xEE)))
  #expect(result.warnings.count == 2)
  #expect(
    result.warnings[0].description.hasSuffix(#"unknown-slot.theme:2: unknown slot "cpu_box" is ignored"#))
  #expect(
    result.warnings[1].description.hasSuffix(
      #"unknown-slot.theme:3: unknown slot "graph_trian" is ignored (did you mean graph_train?)"#))
}

@Test func emptyFilesGiveTheDefaultWithAWarning() throws {
  for name in ["empty.theme", "comments-only.theme"] {
    let result = try load(name)
    #expect(result.theme.colors == Theme.builtInDefault.colors)
    #expect(result.warnings.map(\.message) == ["no theme[...] lines; using the default colours"])
  }
}

@Test func binaryGarbageIsAClearError() {
  #expect {
    _ = try load("binary.theme")
  } throws: { error in
    let text = (error as! ThemeError).description
    return text.contains("binary.theme: not a theme file: it contains binary data (byte 0x2 at offset 4)")
  }
  #expect(throws: ThemeError.self) {
    _ = try ThemeParser.parse(bytes: [0x74, 0xFF, 0xFE, 0x0A], file: "x.theme")
  }
}

@Test func malformedLinesAreErrors() {
  #expect {
    _ = try load("malformed-line.theme")
  } throws: { error in
    (error as! ThemeError).description.hasSuffix(
      ##"malformed-line.theme:1: cannot read "theme[main_fg]"#ffffff""; expected theme[slot]="#rrggbb""##)
  }
}

@Test func missingSlotsFallBackAndEveryValueFormParses() throws {
  let result = try load("partial.theme")
  #expect(result.warnings.isEmpty)
  #expect(result.theme.name == "partial")
  #expect(result.theme[.background] == .rgb(RGB(0x10, 0x20, 0x30)))
  #expect(result.theme[.validation] == .rgb(RGB(0xFF, 0x88, 0x00)))
  #expect(result.theme[.best] == .terminalDefault)
  #expect(result.theme[.good] == .rgb(RGB(0, 128, 255)))
  #expect(result.theme[.warning] == .rgb(RGB(0x7F, 0x7F, 0x7F)))
  #expect(result.theme[.train] == Theme.builtInDefault[.train])
}

@Test func repeatedSlotsWarnAndTheLastWins() throws {
  let text = "theme[title]=\"#111111\"\ntheme[title]=\"#222222\"\n"
  let result = try ThemeParser.parse(text: text, file: "t.theme", fallback: .builtInDefault)
  #expect(result.theme[.title] == .rgb(RGB(0x22, 0x22, 0x22)))
  #expect(
    result.warnings.map(\.description) == [
      "t.theme:2: theme[title] is set again (first on line 1); the last one wins"
    ])
}

@Test func everyShippedThemeParsesCleanlyAndSetsEverySlot() throws {
  let directory = shippedThemesDirectory()
  let names = ThemeLoader.availableThemes(in: [directory])
  #expect(names.count >= 5)
  #expect(Set(names).isSuperset(of: ["default", "light", "high-contrast", "okabe-ito"]))
  for name in names {
    let text = try String(contentsOfFile: directory + "/" + name + ".theme", encoding: .utf8)
    let result = try ThemeParser.parse(text: text, file: name + ".theme", fallback: nil)
    #expect(result.warnings.isEmpty, "\(name): \(result.warnings)")
    #expect(Set(result.theme.colors.keys) == Set(ColorRole.allCases), "\(name) leaves slots unset")
  }
}

@Test func theCompiledInDefaultMatchesThemesDefault() throws {
  let file = try String(contentsOfFile: shippedThemesDirectory() + "/default.theme", encoding: .utf8)
  #expect(file == DefaultThemeSource.text + "\n")
  #expect(Theme.builtInDefault.name == "default")
  #expect(Set(Theme.builtInDefault.colors.keys) == Set(ColorRole.allCases))
}

@Test func loadingByName() throws {
  let directories = [shippedThemesDirectory()]
  #expect(try ThemeLoader.load(named: "nord", in: directories).theme.name == "nord")
  #expect(try ThemeLoader.load(named: "default", in: ["/nonexistent"]).theme == .builtInDefault)
  #expect {
    _ = try ThemeLoader.load(named: "nope", in: directories)
  } throws: { error in
    (error as! ThemeError).description.contains(
      "available: default, gruvbox, high-contrast, light, nord, okabe-ito")
  }
  #expect {
    _ = try ThemeLoader.load(path: "/nonexistent/x.theme")
  } throws: { error in
    (error as! ThemeError).description == "/nonexistent/x.theme: theme file does not exist"
  }
}

@Test func slotNamesRoundTrip() {
  for role in ColorRole.allCases { #expect(ColorRole(themeSlot: role.themeSlot) == role) }
  #expect(ColorRole(themeSlot: "cpu_box") == nil)
}

@Test func rgbParsing() {
  #expect(RGB(hex: "#A0b1C2") == RGB(0xA0, 0xB1, 0xC2))
  #expect(RGB(hex: "#abc") == RGB(0xAA, 0xBB, 0xCC))
  #expect(RGB(hex: "abc") == nil)
  #expect(RGB(hex: "#abcd") == nil)
  #expect(RGB(hex: "#ggg") == nil)
  #expect(RGB(0x0A, 0xFF, 0).hex == "#0aff00")
}

@Test func windowsLineEndingsParseLineByLine() throws {
  let text = "# a theme saved on Windows\r\ntheme[title]=\"#112233\"\r\ntheme[main_fg]=\"#445566\"\r\n"
  let result = try ThemeParser.parse(text: text, file: "crlf.theme", fallback: nil)
  #expect(result.theme[.title] == .rgb(RGB(0x11, 0x22, 0x33)))
  #expect(result.theme[.text] == .rgb(RGB(0x44, 0x55, 0x66)))
}
