/// One column of a sortable table (the runs view, the search's trials): header, width, alignment,
/// the sort key it stands for, and how a row reads in it.
struct TableColumn<Row, Sort: Equatable> {
  var title: String
  var width: Int
  var alignRight: Bool
  var sort: Sort?
  var text: (Row) -> String

  /// Draws the headers from `x`; the sorted column is highlighted and carries the order's arrow.
  static func drawHeader(
    _ columns: [Self], sortedBy sort: Sort, reversed: Bool, into buffer: inout ScreenBuffer, x: Int, y: Int,
    maxX: Int
  ) {
    var x = x
    for column in columns where column.width > 0 {
      let sorted = column.sort == sort
      buffer.put(
        TextFit.pad(
          column.title + (sorted ? (reversed ? "▲" : "▼") : ""), to: column.width,
          alignRight: column.alignRight),
        x: x, y: y, style: Style(foreground: sorted ? .highlight : .title, bold: true), maxWidth: maxX - x)
      x += column.width + 1
    }
  }

  /// Draws one row's cells from `x`, each in the style `style` gives its column.
  static func drawRow(
    _ row: Row, _ columns: [Self], into buffer: inout ScreenBuffer, x: Int, y: Int, maxX: Int,
    style: (Self) -> Style
  ) {
    var x = x
    for column in columns where column.width > 0 {
      buffer.put(
        TextFit.pad(column.text(row), to: column.width, alignRight: column.alignRight), x: x, y: y,
        style: style(column), maxWidth: maxX - x)
      x += column.width + 1
    }
  }
}
