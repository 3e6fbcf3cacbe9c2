/// A line chart of one or more series drawn in braille dots, with a labelled y axis and x-axis end labels.
public struct BrailleChart: Sendable {
  /// One line on the chart: points in data coordinates and the colour role that draws them.
  public struct Series: Sendable {
    public var points: [(x: Double, y: Double)]
    public var role: ColorRole

    public init(points: [(x: Double, y: Double)], role: ColorRole) {
      self.points = points
      self.role = role
    }

    /// A series whose x is the index of each value (0, 1, 2, …).
    public init(values: [Double], role: ColorRole, firstX: Double = 0) {
      self.init(points: values.enumerated().map { (firstX + Double($0.offset), $0.element) }, role: role)
    }
  }

  /// A dotted vertical line at a given x, such as the current step or a hot edit.
  public struct VerticalMarker: Sendable {
    public var x: Double
    public var role: ColorRole
    public init(x: Double, role: ColorRole = .marker) {
      self.x = x
      self.role = role
    }
  }

  /// A symbol drawn over the chart at one point, such as the best epoch.
  public struct PointMarker: Sendable {
    public var x: Double
    public var y: Double
    public var symbol: Character
    public var role: ColorRole
    public init(x: Double, y: Double, symbol: Character = "◆", role: ColorRole = .best) {
      self.x = x
      self.y = y
      self.symbol = symbol
      self.role = role
    }
  }

  public var series: [Series]
  /// Fixed x range (e.g. 0…total steps for a schedule preview); the data's range when nil.
  public var xRange: ClosedRange<Double>?
  /// Fixed y range; the data's range when nil.
  public var yRange: ClosedRange<Double>?
  /// Plot log10(y); values ≤ 0 are skipped and the axis labels stay in data units.
  public var logY: Bool
  public var verticalMarkers: [VerticalMarker]
  public var pointMarkers: [PointMarker]
  /// Replaces the x-axis start/end labels (the compact x range by default).
  public var xLabels: (start: String, end: String)?
  public var axisStyle: Style

  public init(
    series: [Series], xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
    logY: Bool = false, verticalMarkers: [VerticalMarker] = [], pointMarkers: [PointMarker] = [],
    xLabels: (start: String, end: String)? = nil, axisStyle: Style = Style(foreground: .dimText)
  ) {
    self.series = series
    self.xRange = xRange
    self.yRange = yRange
    self.logY = logY
    self.verticalMarkers = verticalMarkers
    self.pointMarkers = pointMarkers
    self.xLabels = xLabels
    self.axisStyle = axisStyle
  }

  /// Draws the chart filling `rect`: y labels and axis on the left, x labels on the bottom row.
  public func draw(into buffer: inout ScreenBuffer, in rect: Rect) {
    guard rect.height >= 2, rect.width >= 4 else { return }
    let plotHeight = rect.height - 1
    let scale = self.scale()
    let labels = yLabels(scale: scale, rows: plotHeight)
    let labelWidth = min(labels.map { $0.text.count }.max() ?? 0, rect.width / 3)
    let plot = Rect(
      x: rect.x + labelWidth + 1, y: rect.y, width: rect.width - labelWidth - 1, height: plotHeight)

    // Y axis: labels right-aligned against a vertical rule with ticks where there is a label.
    for row in 0..<plotHeight {
      let label = labels.first { $0.row == row }
      if let label {
        buffer.put(
          TextFit.pad(label.text, to: labelWidth, alignRight: true), x: rect.x, y: rect.y + row,
          style: axisStyle)
      }
      buffer[rect.x + labelWidth, rect.y + row] = Cell(character: label == nil ? "│" : "┤", style: axisStyle)
    }

    // X axis: start label under the plot's left edge, end label flush with its right edge.
    if let scale {
      let start = xLabels?.start ?? NumberFormat.compact(scale.x.lowerBound + scale.xPadding)
      let end = xLabels?.end ?? NumberFormat.compact(scale.x.upperBound - scale.xPadding)
      let row = rect.y + plotHeight
      buffer.put(start, x: plot.x, y: row, style: axisStyle, maxWidth: plot.width)
      if start.count + 1 + end.count <= plot.width && !(start == end && scale.xPadding > 0) {
        buffer.put(end, x: plot.maxX - end.count, y: row, style: axisStyle)
      }
    }

    guard let scale, plot.width > 0 else { return }
    var canvas = BrailleCanvas(columns: plot.width, rows: plot.height)
    func pixel(_ x: Double, _ y: Double) -> (Int, Int)? {
      guard x.isFinite, let ty = transform(y) else { return nil }
      return scale.pixel(x: x, y: ty, width: canvas.pixelWidth, height: canvas.pixelHeight)
    }
    for marker in verticalMarkers where marker.x.isFinite {
      let (px, _) = scale.pixel(x: marker.x, y: scale.y.lowerBound, width: canvas.pixelWidth, height: 1)
      for py in stride(from: 0, to: canvas.pixelHeight, by: 2) { canvas.set(px, py, role: marker.role) }
    }
    for line in series {
      var previous: (Int, Int)?
      for point in line.points {
        guard let current = pixel(point.x, point.y) else {
          previous = nil  // A gap (NaN, or ≤ 0 on a log axis) breaks the line instead of bridging it.
          continue
        }
        canvas.line(from: previous ?? current, to: current, role: line.role)
        previous = current
      }
    }
    for row in 0..<plot.height {
      for column in 0..<plot.width {
        guard let scalar = canvas.scalar(column: column, row: row) else { continue }
        var style = axisStyle
        style.foreground = canvas.role(column: column, row: row) ?? axisStyle.foreground
        buffer[plot.x + column, plot.y + row] = Cell(scalar: scalar, style: style)
      }
    }
    for marker in pointMarkers {
      guard let (px, py) = pixel(marker.x, marker.y) else { continue }
      let column = px / 2
      let row = py / 4
      guard column >= 0, column < plot.width, row >= 0, row < plot.height else { continue }
      var style = axisStyle
      style.foreground = marker.role
      style.bold = true
      buffer[plot.x + column, plot.y + row] = Cell(character: marker.symbol, style: style)
    }
  }

  // MARK: - Scaling

  /// Data ranges after transformation, never empty, so mapping to pixels never divides by zero.
  struct Scale {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// How much the x range was widened because all points share one x (labels undo it).
    var xPadding: Double

    func pixel(x value: Double, y transformed: Double, width: Int, height: Int) -> (Int, Int) {
      let fx = (value - x.lowerBound) / (x.upperBound - x.lowerBound)
      let fy = (y.upperBound - transformed) / (y.upperBound - y.lowerBound)
      // Clamp far-off points just outside the canvas: the line still heads the right way and stays cheap.
      let px = Int((fx * Double(width - 1)).rounded().clamped(-1, Double(width)))
      let py = Int((fy * Double(height - 1)).rounded().clamped(-1, Double(height)))
      return (px, py)
    }
  }

  func transform(_ y: Double) -> Double? {
    guard y.isFinite else { return nil }
    if logY {
      guard y > 0 else { return nil }
      return Log10.of(y)
    }
    return y
  }

  func scale() -> Scale? {
    // One pass over the points, without the arrays of coordinates it used to build per frame.
    var dataX: ClosedRange<Double>?
    var dataY: ClosedRange<Double>?
    func include(_ x: Double, _ y: Double) {
      if x.isFinite {
        dataX = dataX.map { Swift.min($0.lowerBound, x)...Swift.max($0.upperBound, x) } ?? x...x
      }
      if let y = transform(y) {
        dataY = dataY.map { Swift.min($0.lowerBound, y)...Swift.max($0.upperBound, y) } ?? y...y
      }
    }
    for line in series {
      for point in line.points { include(point.x, point.y) }
    }
    for marker in pointMarkers { include(marker.x, marker.y) }
    let fixedY = yRange.flatMap { range in
      transform(range.lowerBound).flatMap { low in transform(range.upperBound).map { low...$0 } }
    }
    guard var x = xRange ?? dataX, var y = fixedY ?? dataY else { return nil }
    var xPadding = 0.0
    if x.upperBound <= x.lowerBound {
      xPadding = 0.5
      x = (x.lowerBound - xPadding)...(x.lowerBound + xPadding)
    }
    if y.upperBound <= y.lowerBound {
      // A flat line sits in the middle of an honest range around its value.
      let half = logY ? 0.5 : (y.lowerBound == 0 ? 1 : abs(y.lowerBound) * 0.5)
      y = (y.lowerBound - half)...(y.lowerBound + half)
    }
    return Scale(x: x, y: y, xPadding: xPadding)
  }

  /// Max at the top row, min at the bottom row and the midpoint between them when there is room (so a
  /// single point or a flat line has its own value on the axis).
  func yLabels(scale: Scale?, rows: Int) -> [(row: Int, text: String)] {
    guard let scale, rows > 0 else { return [] }
    func label(_ transformed: Double) -> String {
      NumberFormat.compact(logY ? Log10.power(transformed) : transformed)
    }
    var labels = [(row: 0, text: label(scale.y.upperBound))]
    if rows >= 2 { labels.append((row: rows - 1, text: label(scale.y.lowerBound))) }
    if rows >= 3 {
      // The row holding the middle dot, rounded the way `Scale.pixel` rounds, so a flat line at the
      // midpoint is drawn on the row its label names.
      let middleRow = Int((Double(rows * 4 - 1) / 2).rounded()) / 4
      labels.append((row: middleRow, text: label((scale.y.lowerBound + scale.y.upperBound) / 2)))
    }
    return labels
  }
}

extension Double {
  fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
