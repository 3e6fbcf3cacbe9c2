import Testing

@testable import Dashboard

@Test(arguments: [
  (0.0, "0"), (1e-3, "1e-3"), (2.5e-4, "2.5e-4"), (0.42, "0.42"), (0.042, "0.042"), (0.5, "0.5"),
  (1, "1"), (3.14159, "3.14"), (42.12, "42.1"), (512, "512"), (999.4, "999"), (3100, "3.1k"),
  (12_345, "12k"), (1_200_000, "1.2M"), (-0.25, "-0.25"), (-3100, "-3.1k"), (0.00999, "1e-2"),
])
func compactNumbers(value: Double, expected: String) {
  #expect(NumberFormat.compact(value) == expected)
}

@Test func compactNonFinite() {
  #expect(NumberFormat.compact(.nan) == "NaN")
  #expect(NumberFormat.compact(.infinity) == "∞")
  #expect(NumberFormat.compact(-.infinity) == "-∞")
}

@Test(arguments: [
  (0.0, "0.0s"), (0.44, "0.4s"), (9, "9.0s"), (9.96, "10s"), (12.4, "12s"), (65, "1m05s"),
  (3599, "59m59s"), (3725, "1h02m"), (90_000, "1d01h"),
])
func durations(seconds: Double, expected: String) {
  #expect(NumberFormat.duration(seconds) == expected)
}

@Test func unknownDurationsAreDashes() {
  #expect(NumberFormat.duration(nil) == "--")
  #expect(NumberFormat.duration(.nan) == "--")
  #expect(NumberFormat.duration(-1) == "--")
}

@Test func countsPercentsRatesAndMultipliers() {
  #expect(NumberFormat.count(784) == "784")
  #expect(NumberFormat.count(12_300) == "12k")
  #expect(NumberFormat.count(4160) == "4.2k")
  #expect(NumberFormat.percent(0.9123) == "91.2%")
  #expect(NumberFormat.rate(1234) == "1.2k/s")
  #expect(NumberFormat.multiplier(0.25) == "×0.25")
  #expect(NumberFormat.fixed(0.5, decimals: 3) == "0.500")
  #expect(NumberFormat.fixed(-0.0001, decimals: 2) == "0.00")
}

@Test func truncationAddsAnEllipsis() {
  #expect(TextFit.truncate("learning_rate", to: 6) == "learn…")
  #expect(TextFit.truncate("lr", to: 6) == "lr")
  #expect(TextFit.truncate("anything", to: 0) == "")
  #expect(TextFit.pad("7", to: 3, alignRight: true) == "  7")
}
