#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Base-10 logarithm and power for log-scaled charts, kept in one place so widgets need no Foundation.
enum Log10 {
  static func of(_ value: Double) -> Double { log10(value) }
  static func power(_ exponent: Double) -> Double { pow(10, exponent) }
}
