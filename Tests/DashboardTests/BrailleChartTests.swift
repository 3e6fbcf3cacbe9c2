import Testing

@testable import Dashboard

private func render(_ chart: BrailleChart, width: Int = 30, height: Int = 8) -> ScreenBuffer {
  var buffer = ScreenBuffer(width: width, height: height)
  chart.draw(into: &buffer, in: buffer.bounds)
  return buffer
}

@Test func trainAndValidationWithMarkers() {
  let train = (0..<20).map { 2.0 * Double(20 - $0) / 20 + 0.1 }
  let validation = (0..<20).map { i -> Double in
    let d = Double(i - 10)
    return 1.2 + 0.01 * d * d
  }
  let chart = BrailleChart(
    series: [.init(values: train, role: .train), .init(values: validation, role: .validation)],
    verticalMarkers: [.init(x: 15)], pointMarkers: [.init(x: 10, y: 1.2)])
  let buffer = render(chart, width: 40, height: 10)
  expectGolden(buffer, "braille-train-val")
  // The colour of each braille cell comes from the series drawn there.
  let roles = Set(buffer.cells.map(\.style.foreground))
  #expect(roles.isSuperset(of: [.train, .validation, .marker, .best, .dimText]))
}

@Test func learningRateScheduleWithLogAxis() {
  let lr = (0..<200).map { (step: Int) -> Double in
    let peak = 1e-3
    if step < 20 { return peak * Double(step + 1) / 20 }
    return peak * 0.97.power(step - 20)
  }
  let chart = BrailleChart(
    series: [.init(values: lr, role: .learningRate)], logY: true, verticalMarkers: [.init(x: 60)],
    xLabels: (start: "step 0", end: "200"))
  expectGolden(render(chart, width: 40, height: 8), "braille-lr-log")
}

@Test func noPointsDrawsAnEmptyAxis() {
  let buffer = render(BrailleChart(series: [.init(values: [], role: .train)]), width: 10, height: 4)
  #expect(buffer.line(0) == "│         ")
  #expect(buffer.line(3) == "          ")
}

@Test func onePointIsCentredWithoutDividingByZero() {
  let buffer = render(BrailleChart(series: [.init(values: [0.5], role: .train)]), width: 12, height: 5)
  expectGolden(buffer, "braille-one-point")
  #expect(!buffer.text.contains("NaN"))
  #expect(buffer.text.contains("0.5"))
}

@Test func constantValuesSitInTheMiddle() {
  let buffer = render(
    BrailleChart(series: [.init(values: [3, 3, 3, 3], role: .train)]), width: 14, height: 5)
  expectGolden(buffer, "braille-constant")
  let zeros = render(BrailleChart(series: [.init(values: [0, 0], role: .train)]), width: 14, height: 5)
  #expect(zeros.line(0).hasPrefix(" 1┤"))
  #expect(zeros.line(3).hasPrefix("-1┤"))
}

@Test func gapsBreakTheLine() {
  let values: [Double] = [1, 2, .nan, 2, 1]
  let buffer = render(BrailleChart(series: [.init(values: values, role: .train)]), width: 9, height: 3)
  expectGolden(buffer, "braille-gap")
}

@Test func logAxisSkipsNonPositiveValues() {
  let chart = BrailleChart(series: [.init(values: [0, -1, 1e-3, 1e-1], role: .train)], logY: true)
  let buffer = render(chart, width: 16, height: 6)
  #expect(buffer.line(0).hasPrefix(" 0.1┤"))
  #expect(buffer.line(4).hasPrefix("1e-3┤"))
}

@Test func fixedRangesAndTinyRectsAreSafe() {
  let chart = BrailleChart(
    series: [.init(values: [5, -5, 50], role: .train)], xRange: 0...10, yRange: 0...10,
    verticalMarkers: [.init(x: 100)])
  let buffer = render(chart, width: 20, height: 6)
  #expect(buffer.line(0).hasPrefix("10┤"))
  #expect(buffer.line(5).hasSuffix("10"))
  for (w, h) in [(0, 0), (1, 1), (3, 2), (4, 2), (5, 1)] {
    _ = render(chart, width: w, height: h)
  }
}

@Test func yLabelsUseCompactNumbers() {
  let chart = BrailleChart(series: [.init(points: [(0, 0), (1, 3100)], role: .train)])
  let labels = chart.yLabels(scale: chart.scale(), rows: 5).map(\.text)
  #expect(labels == ["3.1k", "0", "1.6k"])
}

extension Double {
  fileprivate func power(_ exponent: Int) -> Double { (0..<exponent).reduce(1) { value, _ in value * self } }
}
