/// Where the Search screen puts things inside the runs screens' box: two lines about the search,
/// the trials table, and below it the scatter and the curves side by side.
public struct SearchLayout: Equatable, Sendable {
  public var box: Rect
  public var info: Rect
  public var table: Rect
  public var scatter: Rect
  public var curves: Rect

  public init(width: Int, height: Int) {
    box = RunsLayout(width: width, height: height).box
    let inner = Rect(x: box.x + 1, y: box.y + 1, width: max(0, box.width - 2), height: max(0, box.height - 2))
    (info, _) = inner.splitTop(2)
    let rest = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: max(0, inner.height - 2))
    // The table keeps at least a header and five trials; the charts get the rest, up to half.
    let tableHeight = max(6, min(rest.height - 8, rest.height / 2))
    let charts: Rect
    (table, charts) = rest.splitTop(tableHeight)
    (scatter, curves) = charts.splitLeft(charts.width * 2 / 5)
  }

  /// Trial rows below the table's header.
  public var tableRows: Int { max(0, table.height - 1) }
}
