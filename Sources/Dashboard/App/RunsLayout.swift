/// Where the runs screens put things: one full-width box above the message line and the status bar.
public struct RunsLayout: Equatable, Sendable {
  public var box: Rect
  public var messageRow: Int
  public var statusRow: Int

  public init(width: Int, height: Int) {
    box = Rect(x: 0, y: 0, width: width, height: max(0, height - 2))
    messageRow = height - 2
    statusRow = height - 1
  }

  /// Table rows below the header, leaving the last inner line for the selected run's details.
  public var tableRows: Int { max(0, box.height - 2 - 2) }
}
