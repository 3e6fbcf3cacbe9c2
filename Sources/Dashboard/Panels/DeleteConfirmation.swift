/// The y/n question before the non-best checkpoints of a run are deleted; its keys come from `KeyMap`.
struct DeleteConfirmation {
  var count: Int

  func draw(into buffer: inout ScreenBuffer, in area: Rect) {
    ConfirmationBox(
      title: "Delete?",
      question: [
        "Delete \(count) kept checkpoint\(count == 1 ? "" : "s") other than the best?",
        "best, last and promoted stay.",
      ],
      context: .confirmDelete
    ).draw(into: &buffer, in: area)
  }
}
