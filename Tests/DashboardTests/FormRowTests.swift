import Testing

@testable import Dashboard

private func row(_ formRow: FormRow, width: Int = 40) -> ScreenBuffer {
  var buffer = ScreenBuffer(width: width, height: 1)
  formRow.draw(into: &buffer, x: 0, y: 0, width: width)
  return buffer
}

@Test func plainRowAlignsTheValue() {
  let buffer = row(FormRow(label: "learning_rate", value: "3e-4", labelWidth: 14, hint: "1e-6…1"))
  #expect(buffer.line(0) == " learning_rate  3e-4 1e-6…1             ")
  #expect(buffer[21, 0].style.foreground == .dimText)
}

@Test func focusedRowIsSelectedAndPointedAt() {
  let buffer = row(FormRow(label: "batch_size", value: "32", focused: true, labelWidth: 12))
  #expect(buffer.line(0).hasPrefix("›batch_size   32"))
  #expect(buffer[5, 0].style.background == .selection)
  #expect(buffer[39, 0].style.background == .selection)
  #expect(buffer[14, 0].style.bold)
}

@Test func editingShowsAFieldWithACursor() {
  let buffer = row(
    FormRow(label: "lr", value: "3e-4", focused: true, editing: true, cursor: 1, labelWidth: 4))
  #expect(buffer.line(0).hasPrefix("›lr   3e-4    "))
  #expect(buffer[7, 0].style.reverse)  // the cursor sits on "e"
  #expect(!buffer[6, 0].style.reverse)
  #expect(buffer[6, 0].style.underline)
  // At the end of the text the cursor is a reversed blank after it.
  let atEnd = row(FormRow(label: "lr", value: "3e-4", editing: true, labelWidth: 4))
  #expect(atEnd[10, 0].style.reverse)
  #expect(atEnd[10, 0].character == " ")
}

@Test func longEditsScrollToKeepTheCursorVisible() {
  let buffer = row(FormRow(label: "lr", value: "0.000123456789", editing: true, labelWidth: 4), width: 12)
  #expect(buffer.line(0) == " lr   56789 ")
  #expect(buffer[11, 0].style.reverse)
}

@Test func errorsAreShownInlineAndTruncated() {
  let buffer = row(
    FormRow(label: "dropout", value: "1.5", editing: true, error: "must be in 0…0.9", labelWidth: 8),
    width: 30)
  #expect(buffer.line(0) == " dropout  1.5      ✗ must be …")
  #expect(buffer[20, 0].style.foreground == .error)
}

@Test func narrowRowsDoNotCrash() {
  for width in 0..<12 {
    _ = row(
      FormRow(label: "weight_decay", value: "0.01", focused: true, editing: width % 2 == 0, error: "x"),
      width: width)
  }
}
