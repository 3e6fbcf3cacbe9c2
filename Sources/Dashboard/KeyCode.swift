extension Key {
  /// The key for a plain character code as the terminal delivers it (not a curses function-key code):
  /// control codes become Enter, Tab, Esc, Backspace, Ctrl-C or `.control(letter)`; nil for codes with no key.
  public init?(characterCode code: UInt32) {
    switch code {
    case 10, 13: self = .enter
    case 9: self = .tab
    case 27: self = .escape
    case 8, 127: self = .backspace
    case 3: self = .ctrlC
    case 0: self = .control("@")
    case 1...26:
      guard let scalar = Unicode.Scalar(code + 96) else { return nil }
      self = .control(Character(scalar))
    case 28...31: return nil
    default:
      guard let scalar = Unicode.Scalar(code) else { return nil }
      self = .character(Character(scalar))
    }
  }
}
