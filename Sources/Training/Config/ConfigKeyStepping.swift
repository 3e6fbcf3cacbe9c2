import Foundation

extension ConfigKey {
  /// One step of the form's ←→: rates move on a grid of 10 points per decade, rounded to three
  /// significant digits so that ten steps from 0.001 land on exactly 0.01.
  func step(_ value: ConfigValue, up: Bool) -> ConfigValue {
    switch (kind, value) {
    case (.rate, .number(let number)): return .number(stepRate(number, up: up))
    case (.real, .number(let number)): return .number(stepReal(number, up: up))
    case (.count, .integer(let count)):
      // A value set in code may sit at Int.max; overflowing would trap the dashboard.
      let (next, overflow) = count.addingReportingOverflow(up ? 1 : -1)
      return !overflow && range?.contains(Double(next)) ?? true ? .integer(next) : value
    case (.choice(let values), .text(let text)):
      guard let index = values.firstIndex(of: text), !values.isEmpty else { return value }
      return .text(values[(index + (up ? 1 : values.count - 1)) % values.count])
    case (.flag, .flag(let flag)):
      return .flag(!flag)
    default:
      return value
    }
  }

  private func stepRate(_ value: Double, up: Bool) -> Double {
    let floor = increment
    let zeroAllowed = range?.contains(0) ?? false
    if value <= 0 { return up && zeroAllowed ? floor : value }
    if !up, value <= floor * 1.001 { return zeroAllowed ? 0 : value }
    // Snap to the grid first, so an off-grid value such as 0.003 goes to the next grid point.
    let position = log10(value) * 10
    let nearest = position.rounded()
    let onGrid = abs(position - nearest) < 0.03
    let target = onGrid ? nearest + (up ? 1 : -1) : (up ? position.rounded(.up) : position.rounded(.down))
    var next = roundedToSignificantDigits(pow(10, target / 10), 3)
    if !up, next < floor { next = floor }
    return bounded(next, from: value)
  }

  private func stepReal(_ value: Double, up: Bool) -> Double {
    let position = value / increment
    let nearest = position.rounded()
    let onGrid = abs(position - nearest) < 1e-6
    let target = onGrid ? nearest + (up ? 1 : -1) : (up ? position.rounded(.up) : position.rounded(.down))
    // Rounding to 9 decimals removes the 0.35000000000000003 that target * increment produces.
    let next = (target * increment * 1e9).rounded() / 1e9
    return bounded(next, from: value)
  }

  /// Stops at a closed end of the range, stays put at an open one: stepping never yields an error.
  private func bounded(_ next: Double, from value: Double) -> Double {
    guard let range, !range.contains(next) else { return next }
    if let upper = range.upper, next > value, range.upperInclusive, value < upper { return upper }
    if let lower = range.lower, next < value, range.lowerInclusive, value > lower { return lower }
    return value
  }
}
