import Training

/// The form: one row per `ConfigKey`, scrolled to the focused row, with changed values marked.
struct HyperparametersPanel {
  var state: DashboardState

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let keys = state.formKeys
    // Another trainer's values are its own, not changes from tunetop's defaults.
    let marksChanges = !state.watchesAnotherTrainer
    let changed = marksChanges ? keys.filter { !state.settings.isDefault($0) }.count : 0
    let visible = max(0, rect.height - 2)
    // The reducer scrolls for the real layout; clamping again keeps any rect honest (tests, odd sizes).
    var top = min(max(0, state.formTop), max(0, keys.count - visible))
    if state.formIndex < top { top = state.formIndex }
    if visible > 0, state.formIndex >= top + visible { top = state.formIndex - visible + 1 }
    let below = max(0, keys.count - top - visible)
    var trailer =
      state.isRunActive
      ? "live: lr, dropout, wd"
      : !marksChanges ? "read-only" : (changed == 0 ? "defaults" : "\(changed) changed")
    if top > 0 || below > 0 {
      trailer = "\(state.formIndex + 1)/\(keys.count)" + (rect.width > 34 ? " · " + trailer : "")
    }
    let inner = Box(
      title: Panel.hyperparameters.title, focused: state.focus == .hyperparameters, key: "1", trailer: trailer
    ).draw(into: &buffer, in: rect)
    guard inner.width > 2 else { return }
    let labelWidth = min(keys.map(\.name.count).max() ?? 0, inner.width - 14)
    for row in 0..<min(visible, keys.count - top) {
      let index = top + row
      let key = keys[index]
      let y = inner.y + row
      let focused = state.focus == .hyperparameters && index == state.formIndex
      let editing = focused && state.isEditingSetting
      let locked = state.lockReason(key) != nil
      let error = state.formError.flatMap { $0.key == key.name && focused ? $0.message : nil }
      var formRow = FormRow(
        label: key.name, value: editing ? state.editor!.text : state.settings.value(of: key),
        focused: focused,
        editing: editing, cursor: editing ? state.editor!.cursor : nil,
        selected: editing && state.editor!.selectsAll, error: error, labelWidth: labelWidth,
        hint: editing ? key.constraint : nil)
      if key.kind == .nameList, formRow.value.isEmpty, !editing { formRow.value = "none" }
      formRow.draw(into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
      // A changed value is marked in its own column so it shows in every colour depth.
      if marksChanges, !state.settings.isDefault(key) {
        buffer[inner.x, y] = Cell(character: "•", style: Style(foreground: .highlight, bold: true))
      }
      if locked && !focused {
        buffer.restyle(Rect(x: inner.x + 1, y: y, width: inner.width - 1, height: 1)) { $0.dim = true }
      }
    }
    drawRunName(into: &buffer, rect: rect)
    // Scroll hints on the frame, so hidden rows are never a surprise.
    if top > 0 { buffer.put("▲", x: rect.maxX - 1, y: inner.y, style: Style(foreground: .highlight)) }
    if below > 0 {
      buffer.put("▼", x: rect.maxX - 1, y: inner.maxY - 1, style: Style(foreground: .highlight))
    }
  }

  /// The next run's name on the bottom edge (`n name: lr3e-3`), as a field while it is typed.
  func drawRunName(into buffer: inout ScreenBuffer, rect: Rect) {
    let room = rect.width - 6
    guard room > 10, rect.height >= 3 else { return }
    let y = rect.maxY - 1
    let x = rect.x + 2
    var column = buffer.put("n", x: x, y: y, style: Style(foreground: .highlight, bold: true))
    column = buffer.put(" name ", x: column, y: y, style: Style(foreground: .title))
    let valueRoom = rect.maxX - 2 - column
    if state.editingRunName, let editor = state.editor {
      TextField(text: editor.text, cursor: editor.cursor, selected: editor.selectsAll, minimumWidth: 12)
        .draw(into: &buffer, x: column, y: y, room: valueRoom)
      return
    }
    let automatic = state.runName.isEmpty
    let text = automatic ? "auto: " + state.effectiveRunName : state.runName
    buffer.put(
      TextFit.truncate(text, to: valueRoom - 1), x: column, y: y,
      style: Style(foreground: automatic ? .dimText : .highlight))
  }
}
