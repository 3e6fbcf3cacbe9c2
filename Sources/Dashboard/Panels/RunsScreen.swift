import Foundation
import Training

/// The runs table: one row per run directory, the sort column marked, marked runs flagged, and the
/// selected run's full name and changed settings on the last line.
struct RunsScreen {
  var state: DashboardState

  typealias Column = TableColumn<RunRecord, RunCatalog.SortColumn>

  func columns(width: Int) -> [Column] {
    let wide = width >= 100
    var columns: [Column] = []
    let nameWidth = wide ? min(30, max(16, width / 5)) : 16
    columns.append(
      Column(title: "run", width: nameWidth, alignRight: false, sort: .name, text: RunsScreen.shortName))
    if wide {
      columns.append(
        Column(title: "started", width: 11, alignRight: false, sort: .started) { record in
          record.started.map(RunsScreen.startedText) ?? "-"
        })
    }
    // Who wrote the run (tunetop, pytorch, transformers, lightning), as `tunetop runs` lists it;
    // below 120 columns the changed settings need the room more.
    if width >= 120 {
      columns.append(Column(title: "source", width: 12, alignRight: false, sort: nil) { $0.source })
    }
    columns += [
      Column(title: "status", width: 11, alignRight: false, sort: .status, text: RunsScreen.statusText),
      Column(title: "ep", width: 4, alignRight: true, sort: .epochs) {
        $0.summary.map { String($0.epochsRun) } ?? "-"
      },
      Column(title: "val loss", width: 8, alignRight: true, sort: .valLoss) {
        RunsScreen.number($0.summary?.bestValidationLoss, decimals: 4)
      },
      Column(title: "val acc", width: 7, alignRight: true, sort: .valAccuracy) {
        RunsScreen.number($0.summary?.bestValidationAccuracy, decimals: 3)
      },
      Column(title: "wall", width: 6, alignRight: true, sort: .wall) { record in
        record.summary.map { NumberFormat.duration($0.wallSeconds) } ?? "-"
      },
    ]
    let used = 2 + columns.reduce(0) { $0 + $1.width + 1 }
    columns.append(
      Column(
        title: "differs from defaults", width: max(0, width - used), alignRight: false, sort: nil,
        text: RunsScreen.changes))
    return columns
  }

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.runs
    let order = view.reversed ? "▲" : "▼"
    let total = view.allRecords.count
    var trailer =
      view.filter.isEmpty
      ? "\(total) run\(total == 1 ? "" : "s")" : "\(view.records.count)/\(total) runs · /\(view.filter)"
    if !view.marked.isEmpty { trailer += " · \(view.marked.count) marked" }
    trailer += " · sort \(view.sortColumn.rawValue)\(order)"
    let inner = Box(title: Screen.runs.title, focused: true, key: "6", trailer: trailer).draw(
      into: &buffer, in: rect)
    guard inner.width > 10, inner.height > 2 else { return }
    let columns = columns(width: inner.width - 1)
    Column.drawHeader(
      columns, sortedBy: view.sortColumn, reversed: view.reversed, into: &buffer, x: inner.x + 2, y: inner.y,
      maxX: inner.maxX)
    let rows = max(0, inner.height - 2)
    if view.records.isEmpty {
      let text =
        !view.loaded
        ? "reading runs…"
        : total > 0
          ? "no run matches \"\(view.filter)\" (name, status or a changed setting); Esc clears the filter"
          : "no runs yet: press s to start one; runs are kept under the runs directory"
      buffer.put(
        TextFit.truncate(text, to: inner.width - 2), x: inner.x + 2, y: inner.y + 1,
        style: Style(foreground: .dimText))
      drawFilterField(into: &buffer, inner: inner)
      return
    }
    let top = min(max(0, view.top), max(0, view.records.count - rows))
    for row in 0..<min(rows, view.records.count - top) {
      let index = top + row
      let record = view.records[index]
      let y = inner.y + 1 + row
      let selected = index == view.selection
      let base = selected ? Style(foreground: .selectionText, background: .selection) : Style()
      buffer.fill(x: inner.x, y: y, width: inner.width, height: 1, cell: Cell(style: base))
      if let mark = view.marked.firstIndex(of: record.path) {
        // The mark is the run's colour in the compare chart, and its number there.
        var style = base
        style.foreground = CompareScreen.roles[mark % CompareScreen.roles.count]
        style.bold = true
        buffer.put("\(mark + 1)", x: inner.x, y: y, style: style)
      }
      buffer.put(selected ? "›" : " ", x: inner.x + 1, y: y, style: base)
      Column.drawRow(record, columns, into: &buffer, x: inner.x + 2, y: y, maxX: inner.maxX) { column in
        var style = base
        if column.title == "status", !selected { style.foreground = RunsScreen.statusRole(record) }
        return style
      }
    }
    if top > 0 { buffer.put("▲", x: rect.maxX - 1, y: inner.y + 1, style: Style(foreground: .highlight)) }
    if top + rows < view.records.count {
      buffer.put("▼", x: rect.maxX - 1, y: inner.y + rows, style: Style(foreground: .highlight))
    }
    if !drawFilterField(into: &buffer, inner: inner), let selected = view.selected {
      buffer.put(
        TextFit.truncate(RunsScreen.details(selected), to: inner.width - 2), x: inner.x + 2,
        y: inner.maxY - 1,
        style: Style(foreground: .dimText))
    }
  }

  /// The filter being typed, on the last line in place of the selected run's details; false when none is.
  @discardableResult
  func drawFilterField(into buffer: inout ScreenBuffer, inner: Rect) -> Bool {
    guard state.editingRunsFilter, let editor = state.editor else { return false }
    let y = inner.maxY - 1
    let column = buffer.put("/", x: inner.x + 2, y: y, style: Style(foreground: .highlight, bold: true))
    TextField(text: editor.text, cursor: editor.cursor, selected: editor.selectsAll, minimumWidth: 12)
      .draw(into: &buffer, x: column + 1, y: y, room: inner.maxX - column - 2)
    return true
  }

  /// The full directory name, the parent of a fork and every changed setting: what the columns cut.
  static func details(_ record: RunRecord) -> String {
    var parts = [record.name]
    if let writer = record.summary?.writer, writer.host != RunWriter.current.host {
      // Its status cannot be checked from here, so say where to look.
      parts.append("written on \(writer.host) (pid \(writer.pid))")
    }
    if let parent = record.summary?.parent { parts.append("fork of \(parent.run) @ epoch \(parent.epoch)") }
    if let test = record.summary?.testAccuracy, test.isFinite {
      parts.append("test acc \(NumberFormat.fixed(test, decimals: 3))")
    }
    let changes = record.differences
    parts.append(changes.isEmpty ? "default settings" : changes.joined(separator: " "))
    return parts.joined(separator: " · ")
  }

  /// The changed settings; a fork names its parent instead of the long path of the parent's checkpoint.
  static func changes(_ record: RunRecord) -> String {
    guard let parent = record.summary?.parent else { return record.differences.joined(separator: " ") }
    let rest = record.differences.filter { !$0.hasPrefix(ConfigKey.baseModel.name + "=") }
    return (["↳\(shortName(parent.run))@\(parent.epoch)"] + rest).joined(separator: " ")
  }

  /// The name after the `yyyyMMdd-HHmmss-` prefix, which the started column shows.
  static func shortName(_ record: RunRecord) -> String { shortName(record.name) }

  static func shortName(_ name: String) -> String {
    // A search's trial, `<stamp>-search-tpe/<stamp>-t03-…`, reads as `tpe/t03-…` in a narrow column.
    if let slash = name.firstIndex(of: "/") {
      var search = shortName(String(name[..<slash]))
      if search.hasPrefix("search-") { search.removeFirst("search-".count) }
      return search + "/" + shortName(String(name[name.index(after: slash)...]))
    }
    let characters = Array(name)
    guard characters.count > 16, characters[8] == "-", characters[15] == "-",
      characters[0..<8].allSatisfy(\.isASCII), characters[0..<8].allSatisfy(\.isNumber),
      characters[9..<15].allSatisfy(\.isNumber)
    else { return name }
    return String(characters[16...])
  }

  /// `11-29 09:15` in local time, by `localtime_r`: a date formatter per row would cost more than
  /// the rest of the frame.
  static func startedText(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    guard localtime_r(&seconds, &parts) != nil else { return "-" }
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
  }

  static func statusText(_ record: RunRecord) -> String {
    if record.isLive { return record.summary?.status == .paused ? "● paused" : "● live" }
    return record.statusText == "early_stopped" ? "early-stop" : record.statusText
  }

  static func statusRole(_ record: RunRecord) -> ColorRole {
    if record.isLive { return .good }
    switch record.statusText {
    case "completed", "early_stopped": return .best
    case "diverged", "failed", "killed", "unreadable": return .error
    default: return .dimText
    }
  }

  static func number(_ value: Double?, decimals: Int) -> String {
    guard let value, value.isFinite else { return "-" }
    return NumberFormat.fixed(value, decimals: decimals)
  }
}
