/// Keeps a cursor inside a scrolled list: the form, the runs table and the trials table share it.
enum Scrolling {
  /// The first visible row after scrolling as little as possible from `top` so that row `index`
  /// of `count` shows in a window of `rows`; never past the end of the list.
  static func top(_ top: Int, keeping index: Int, rows: Int, count: Int) -> Int {
    var top = top
    if index < top { top = index }
    if index >= top + rows { top = index - rows + 1 }
    return min(max(0, top), max(0, count - rows))
  }
}
