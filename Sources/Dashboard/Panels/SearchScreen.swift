import Training

/// The Search screen: what the search is doing, its trials as a sortable table with the best one
/// highlighted, and below them the validation loss against the sampled learning rate and every
/// trial's validation curve, pruned trials dimmed.
struct SearchScreen {
  var state: DashboardState

  /// How the table heads the sampled keys, so five of them fit beside the results at 80 columns.
  static let parameterTitles: [String: (title: String, width: Int)] = [
    ConfigKey.learningRate.name: ("lr", 7), ConfigKey.weightDecay.name: ("wd", 7),
    ConfigKey.dropout.name: ("drop", 5), ConfigKey.batchSize.name: ("bs", 3),
  ]

  func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.search
    let layout = SearchLayout(width: state.width, height: state.height)
    let order = view.reversed ? "▲" : "▼"
    var trailer = "tpe · asha · 1 at a time"
    if let origin = view.origin {
      trailer = ([origin.backend, origin.sampler, origin.pruner] as [String?]).compactMap { $0 }
        .joined(separator: " · ")
    }
    if let snapshot = view.snapshot {
      trailer = "\(snapshot.trials.count)/\(snapshot.plannedTrials) trials · " + trailer
    }
    trailer += " · sort \(view.sortColumn.rawValue)\(order)"
    let inner = Box(title: Screen.search.title, focused: true, key: "S", trailer: trailer).draw(
      into: &buffer, in: rect)
    guard inner.width > 20, inner.height > 6 else { return }
    drawInfo(into: &buffer, in: layout.info)
    drawTable(into: &buffer, in: layout.table)
    drawScatter(into: &buffer, in: layout.scatter)
    drawCurves(into: &buffer, in: layout.curves)
  }

  // MARK: - What the search is doing

  func drawInfo(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.search
    let lines: [(String, Style)]
    switch view.phase {
    case .idle:
      let wide = rect.width >= 120
      lines = [
        (
          wide
            ? "s searches \(view.plannedTrials) trials (+/- more, fewer) from the form's settings: sampler tpe, pruner asha (grace 2 ep, η 3)"
            : "s searches \(view.plannedTrials) trials (+/-) from the form · sampler tpe · pruner asha",
          Style()
        ),
        (
          wide
            ? "one trial at a time: 2 cores also draw this screen · space: lr, weight_decay (log), dropout, batch_size, frozen"
            : "space: lr, weight_decay (log), dropout, batch_size, frozen · 1 at a time",
          Style(foreground: .dimText)
        ),
      ]
    case .starting:
      lines = [("preparing the search…", Style()), ("", Style())]
    case .running, .finished:
      let trials = view.trials
      let done = trials.filter(\.isComplete).count
      let pruned = trials.filter { $0.status == .pruned }.count
      let running = trials.filter { $0.status == .running }.count
      let killed = trials.filter(\.writerGone).count
      let failed = trials.filter { $0.status == .failed || $0.status == .diverged }.count
      var first =
        view.phase == .finished ? "finished" : (view.snapshot?.stopRequested == true ? "stopping" : "running")
      if view.origin != nil { first = view.phase == .finished ? "ended" : "following" }
      first += " · \(done) done · \(pruned) pruned · \(running - killed) running"
      if killed > 0 { first += " · \(killed) killed" }
      if failed > 0 { first += " · \(failed) failed" }
      first += " of \(view.snapshot?.plannedTrials ?? 0)"
      if let best = view.snapshot?.bestTrial, let trial = trials.first(where: { $0.number == best }),
        let loss = trial.objective
      {
        first += " · best #\(best) val loss \(NumberFormat.fixed(loss, decimals: 4))"
        if let accuracy = trial.summary?.bestValidationAccuracy, accuracy.isFinite {
          first += " acc \(NumberFormat.fixed(accuracy, decimals: 3))"
        }
      }
      var second = view.snapshot?.directory ?? ""
      if view.origin != nil && view.phase != .finished {
        second += "  (runs elsewhere: q leaves it running)"
      }
      lines = [(first, Style(bold: true)), (second, Style(foreground: .dimText))]
    }
    for (row, line) in lines.enumerated() where row < rect.height {
      buffer.put(TextFit.truncate(line.0, to: rect.width - 1), x: rect.x + 1, y: rect.y + row, style: line.1)
    }
  }

  // MARK: - The trials table

  typealias Column = TableColumn<SearchTrial, SearchView.SortColumn>

  func columns(width: Int) -> [Column] {
    var columns = [
      Column(title: "#", width: 3, alignRight: true, sort: .trial) { "\($0.number)" },
      Column(title: "status", width: 7, alignRight: false, sort: .status, text: SearchView.statusText),
      Column(title: "val loss", width: 9, alignRight: true, sort: .valLoss) { trial in
        SearchView.bestLoss(trial).map { NumberFormat.fixed($0, decimals: 4) } ?? "-"
      },
      Column(title: "ep", width: 3, alignRight: true, sort: .epochs) { "\($0.validationLosses.count)" },
    ]
    let nodes = SearchScreen.nodeLabels(state.search.trials)
    if !nodes.isEmpty {
      let nodeWidth = min(14, max(4, nodes.values.map(\.count).max() ?? 4))
      columns.append(
        Column(title: "node", width: nodeWidth, alignRight: false, sort: nil) { nodes[$0.number] ?? "-" })
    }
    let keys = state.search.trials.first?.parameters.map(\.key) ?? []
    for key in keys {
      let heading = SearchScreen.parameterTitles[key] ?? (key, max(6, key.count))
      let used = columns.reduce(2) { $0 + $1.width + 1 }
      let room = width - used
      guard room > 2 else { break }
      let isLast = key == keys.last
      columns.append(
        Column(
          title: heading.title, width: isLast ? room : min(heading.width, room), alignRight: false,
          sort: key == ConfigKey.learningRate.name ? .learningRate : nil
        ) { trial in
          SearchScreen.valueText(trial.parameters.first { $0.key == key }?.value ?? "-")
        })
    }
    return columns
  }

  /// Where each trial ran, by trial number, for a search spread over machines: the host, and the
  /// start of Ray's node id too where two nodes share a host (two raylets on one machine). Empty
  /// when every trial ran on one host without a scheduler's node, as a local search does.
  static func nodeLabels(_ trials: [SearchTrial]) -> [Int: String] {
    let places = trials.map { trial -> (number: Int, host: String?, node: String?) in
      let host = trial.summary?.writer?.host.split(separator: ".").first.map(String.init)
      return (trial.number, host, trial.summary?.node)
    }
    let hosts = Set(places.compactMap(\.host))
    let nodes = Set(places.compactMap(\.node))
    guard !nodes.isEmpty || hosts.count > 1 else { return [:] }
    // Hosts tell the nodes apart unless some host ran more than one node.
    let pairs = Set(places.map { "\($0.host ?? "")|\($0.node ?? "")" })
    let hostsSuffice = pairs.count == Set(places.map { $0.host ?? "" }).count
    var labels: [Int: String] = [:]
    for place in places {
      let node = place.node.map { String($0.prefix(6)) }
      labels[place.number] =
        hostsSuffice
        ? (place.host ?? node ?? "-")
        : [place.host, node].compactMap { $0 }.joined(separator: "·")
    }
    return labels
  }

  /// A sampled value as the table shows it: numbers compact, lists without brackets, none as `-`.
  static func valueText(_ text: String) -> String {
    if let number = Double(text), text.contains(".") || text.contains("e") {
      return NumberFormat.compact(number)
    }
    if text == "[]" { return "-" }
    if text.hasPrefix("[") && text.hasSuffix("]") {
      return String(text.dropFirst().dropLast()).replacingOccurrences(of: ", ", with: ",")
    }
    return text
  }

  func drawTable(into buffer: inout ScreenBuffer, in rect: Rect) {
    let view = state.search
    guard rect.height > 1 else { return }
    let columns = columns(width: rect.width - 1)
    Column.drawHeader(
      columns, sortedBy: view.sortColumn, reversed: view.reversed, into: &buffer, x: rect.x + 2, y: rect.y,
      maxX: rect.maxX)
    let rows = view.rows
    let visible = rect.height - 1
    guard !rows.isEmpty else {
      let text = view.phase == .idle ? "no search yet: press s to start one" : "waiting for the first trial…"
      buffer.put(
        text, x: rect.x + 2, y: rect.y + 1, style: Style(foreground: .dimText), maxWidth: rect.width - 2)
      return
    }
    let best = view.snapshot?.bestTrial
    let selection = view.selectionIndex
    let top = min(max(0, view.top), max(0, rows.count - visible))
    for row in 0..<min(visible, rows.count - top) {
      let index = top + row
      let trial = rows[index]
      let y = rect.y + 1 + row
      let selected = index == selection
      var base = selected ? Style(foreground: .selectionText, background: .selection) : Style()
      if !selected {
        if trial.number == best {
          base.foreground = .best
          base.bold = true
        } else if trial.status == .pruned {
          base.foreground = .dimText
        }
      }
      buffer.fill(x: rect.x, y: y, width: rect.width, height: 1, cell: Cell(style: base))
      var markStyle = base
      if !selected { markStyle.foreground = .best }
      buffer.put(trial.number == best ? "★" : " ", x: rect.x, y: y, style: markStyle)
      buffer.put(selected ? "›" : " ", x: rect.x + 1, y: y, style: base)
      Column.drawRow(trial, columns, into: &buffer, x: rect.x + 2, y: y, maxX: rect.maxX) { column in
        var style = base
        if column.title == "status", !selected, trial.number != best || trial.writerGone {
          style.foreground = SearchScreen.statusRole(trial)
        }
        return style
      }
    }
    if top > 0 { buffer.put("▲", x: rect.maxX - 1, y: rect.y + 1, style: Style(foreground: .highlight)) }
    if top + visible < rows.count {
      buffer.put("▼", x: rect.maxX - 1, y: rect.y + visible, style: Style(foreground: .highlight))
    }
  }

  static func statusRole(_ trial: SearchTrial) -> ColorRole {
    if trial.writerGone { return .error }
    switch trial.status {
    case .running: return .good
    case .completed, .earlyStopped: return .text
    case .pruned, .stopped, .interrupted: return .dimText
    default: return .error
    }
  }

  // MARK: - Charts

  /// Pruned first and the best last, so the lines that matter are drawn on top.
  func drawingOrder(_ trials: [SearchTrial]) -> [SearchTrial] {
    let best = state.search.snapshot?.bestTrial
    func rank(_ trial: SearchTrial) -> Int {
      trial.number == best ? 3 : trial.status == .pruned ? 0 : trial.status == .running ? 2 : 1
    }
    return trials.sorted { (rank($0), $0.number) < (rank($1), $1.number) }
  }

  func role(_ trial: SearchTrial) -> ColorRole {
    if trial.number == state.search.snapshot?.bestTrial { return .best }
    switch trial.status {
    case .pruned, .stopped, .interrupted: return .dimText
    case .running: return .good
    default: return .validation
    }
  }

  func drawScatter(into buffer: inout ScreenBuffer, in rect: Rect) {
    let inner = Box(title: "val loss × lr", trailer: "◆ best · × pruned").draw(into: &buffer, in: rect)
    guard inner.width > 8, inner.height >= 2 else { return }
    let trials = drawingOrder(state.search.trials)
    let markers = trials.compactMap { trial -> BrailleChart.PointMarker? in
      // A trial stopped before its first epoch says nothing about its learning rate.
      guard !trial.validationLosses.isEmpty, let lr = SearchView.learningRate(trial), lr > 0,
        let loss = SearchView.bestLoss(trial)
      else {
        return nil
      }
      let best = trial.number == state.search.snapshot?.bestTrial
      let symbol: Character =
        best ? "◆" : trial.status == .pruned ? "×" : trial.status == .running ? "○" : "●"
      return BrailleChart.PointMarker(x: Log10.of(lr), y: loss, symbol: symbol, role: role(trial))
    }
    guard let low = markers.map(\.x).min(), let high = markers.map(\.x).max() else {
      let hasRate = state.search.trials.contains { SearchView.learningRate($0) != nil }
      let text =
        state.search.trials.isEmpty || hasRate
        ? "no results yet" : "no learning rate among the trials' settings"
      buffer.put(
        text, x: inner.x + 1, y: inner.y, style: Style(foreground: .dimText), maxWidth: inner.width - 1)
      return
    }
    BrailleChart(
      series: [], pointMarkers: markers,
      xLabels: ("lr " + NumberFormat.compact(Log10.power(low)), NumberFormat.compact(Log10.power(high)))
    ).draw(into: &buffer, in: inner)
  }

  func drawCurves(into buffer: inout ScreenBuffer, in rect: Rect) {
    let inner = Box(title: "val loss by epoch", trailer: "pruned dimmed").draw(into: &buffer, in: rect)
    guard inner.width > 8, inner.height >= 2 else { return }
    let trials = drawingOrder(state.search.trials)
    let series = trials.map { trial in
      BrailleChart.Series(values: trial.validationLosses, role: role(trial), firstX: 1)
    }
    let values = trials.flatMap(\.validationLosses).filter(\.isFinite)
    guard let low = values.min(), let high = values.max() else {
      buffer.put("no epochs yet", x: inner.x + 1, y: inner.y, style: Style(foreground: .dimText))
      return
    }
    // A diverged trial's huge losses would flatten every other curve; the view stops at 4× the best.
    let top = min(high, low > 0 ? low * 4 : high)
    let epochs = trials.map(\.validationLosses.count).max() ?? 1
    BrailleChart(
      series: series, xRange: 1...Double(max(2, epochs)), yRange: low...max(top, low), logY: state.logScale,
      xLabels: ("epoch 1", "\(max(2, epochs))")
    ).draw(into: &buffer, in: inner)
  }
}
