/// The y/n question shown when quitting would interrupt an active run; its keys come from `KeyMap`.
struct QuitConfirmation {
  /// A search rather than a run is what quitting would interrupt.
  var searching = false

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    let question =
      searching
      ? ["A search is still running.", "Quitting interrupts its trial; finished trials are kept."]
      : ["A run is still active.", "Quitting interrupts it; last and summary.json are saved."]
    ConfirmationBox(title: "Quit?", question: question, context: .confirm).draw(into: &buffer, in: area)
  }
}
