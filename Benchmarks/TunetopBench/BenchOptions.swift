/// The word after `flag` in a benchmark's arguments (`--trials 1000`), or nil when it is absent.
func optionValue(_ flag: String, in arguments: [String]) -> String? {
  arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

/// The integer after `flag`, or nil when it is absent or not an integer.
func intOption(_ flag: String, in arguments: [String]) -> Int? {
  optionValue(flag, in: arguments).flatMap { Int($0) }
}
