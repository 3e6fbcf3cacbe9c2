import Testing

@testable import Dashboard

private func spark(_ sparkline: Sparkline, width: Int) -> String {
  String(sparkline.characters(width: width))
}

@Test func risingValuesUseEveryLevel() {
  #expect(spark(Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7]), width: 8) == "▁▂▃▄▅▆▇█")
}

@Test func fewerValuesThanColumnsAreLeftAlignedAndPadded() {
  #expect(spark(Sparkline(values: [0, 1]), width: 4) == "▁█  ")
}

@Test func emptyConstantAndNaNAreSafe() {
  #expect(spark(Sparkline(values: []), width: 3) == "   ")
  #expect(spark(Sparkline(values: [2, 2, 2]), width: 3) == "▄▄▄")
  #expect(spark(Sparkline(values: [0, .nan, 1, .infinity]), width: 4) == "▁ █ ")
  #expect(spark(Sparkline(values: [.nan, .nan]), width: 2) == "  ")
  #expect(Sparkline(values: [1, 2]).characters(width: 0).isEmpty)
}

@Test func downsamplingAveragesBucketsOverTheWholeHistory() {
  // 8 values into 4 columns: bucket means 0.5, 2.5, 4.5, 6.5.
  let values = (0..<8).map(Double.init)
  #expect(spark(Sparkline(values: values), width: 4) == "▁▃▆█")
  #expect(Sparkline(values: values).columnValues(width: 4) == [0.5, 2.5, 4.5, 6.5])
}

@Test func mostRecentKeepsTheTail() {
  let values: [Double] = [100, 100, 0, 1, 2]
  #expect(spark(Sparkline(values: values, overflow: .mostRecent), width: 3) == "▁▅█")
}

@Test func fixedRangeClampsOutliers() {
  let sparkline = Sparkline(values: [-5, 0, 0.5, 1, 9], minimum: 0, maximum: 1)
  #expect(spark(sparkline, width: 5) == "▁▁▅██")
}

@Test func logScaleSpreadsDecadesAndSkipsNonPositive() {
  let sparkline = Sparkline(values: [1e-4, 1e-3, 1e-2, 1e-1, 0, -1], logScale: true)
  #expect(spark(sparkline, width: 6) == "▁▃▆█  ")
}

@Test func drawWritesStyledCells() {
  var buffer = ScreenBuffer(width: 6, height: 1)
  Sparkline(values: [0, 1], style: Style(foreground: .train)).draw(into: &buffer, x: 1, y: 0, width: 3)
  #expect(buffer.text == " ▁█   ")
  #expect(buffer[1, 0].style.foreground == .train)
}
