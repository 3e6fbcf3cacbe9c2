import Foundation
import Training

/// The checkpoint ledger of one run: every kept checkpoint with its validation metrics, best marked.
struct CheckpointsScreen {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.runs
    let name = view.ledgerRun.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
    let kept = view.ledger.filter { $0.kind == .history }.count
    let inner = Box(
      title: "\(Screen.checkpoints.title) · \(name)", focused: true,
      trailer: "\(kept) kept · P promote · d delete non-best"
    ).draw(into: &buffer, in: rect)
    guard inner.width > 10, inner.height > 2 else { return }
    let header = row("checkpoint", "epoch", "val loss", "val acc", "")
    buffer.put(
      TextFit.truncate(header, to: inner.width - 2), x: inner.x + 2, y: inner.y,
      style: Style(foreground: .title, bold: true))
    guard !view.ledger.isEmpty else {
      buffer.put(
        "no checkpoints: the run stopped before its first epoch", x: inner.x + 2, y: inner.y + 1,
        style: Style(foreground: .dimText))
      return
    }
    let rows = inner.height - 2
    let top = max(0, min(view.ledgerIndex - rows + 1, view.ledger.count - rows))
    for (offset, entry) in view.ledger.dropFirst(top).prefix(rows).enumerated() {
      let index = top + offset
      let y = inner.y + 1 + offset
      let selected = index == view.ledgerIndex
      let base = selected ? Style(foreground: .selectionText, background: .selection) : Style()
      buffer.fill(x: inner.x, y: y, width: inner.width, height: 1, cell: Cell(style: base))
      buffer.put(selected ? "›" : " ", x: inner.x, y: y, style: base)
      if entry.isBest {
        var style = base
        style.foreground = .best
        buffer.put("◆", x: inner.x + 1, y: y, style: style)
      }
      let note: String
      switch entry.kind {
      case .history: note = entry.isBest ? "best" : ""
      case .best: note = "best (no history kept by this run)"
      case .last: note = "where resume continues"
      case .promoted: note = "promoted copy"
      }
      let text = row(
        entry.label, entry.epoch.map(String.init) ?? "-",
        RunsScreen.number(entry.validationLoss, decimals: 4),
        RunsScreen.number(entry.validationAccuracy, decimals: 3), note)
      buffer.put(TextFit.truncate(text, to: inner.width - 2), x: inner.x + 2, y: y, style: base)
    }
    if let entry = view.ledger.indices.contains(view.ledgerIndex) ? view.ledger[view.ledgerIndex] : nil {
      buffer.put(
        TextFit.truncate(entry.path, to: inner.width - 2), x: inner.x + 2, y: inner.maxY - 1,
        style: Style(foreground: .dimText))
    }
  }

  private func row(_ label: String, _ epoch: String, _ loss: String, _ accuracy: String, _ note: String)
    -> String
  {
    TextFit.pad(label, to: 12) + " " + TextFit.pad(epoch, to: 5, alignRight: true) + "  "
      + TextFit.pad(loss, to: 8, alignRight: true) + "  " + TextFit.pad(accuracy, to: 7, alignRight: true)
      + "  " + note
  }
}
