import Foundation

/// Which values a hyperparameter search may try, key by key; keys not in it keep the base config's value.
public struct SearchSpace: Sendable, Equatable {
  public private(set) var dimensions: [SearchDimension]

  /// Dimensions are kept in config-table order so a space reads the same however it was written.
  public init(_ dimensions: [SearchDimension]) {
    let order = Dictionary(uniqueKeysWithValues: ConfigKey.all.enumerated().map { ($1.name, $0) })
    self.dimensions = dimensions.sorted { order[$0.key.name, default: 0] < order[$1.key.name, default: 0] }
  }

  /// The space used without `--space`: learning rate and weight decay on a log scale, dropout,
  /// batch size, and how many of the bottom groups are frozen (none, the lowest, all but the head).
  /// Batch sizes larger than the training set are left out, since such a trial could not start.
  /// `learningRate` is the model family's recommended rate; the range spans a tenth of it to 100×
  /// (1e-4…0.1 for the MLP's 1e-3, 5e-6…5e-3 for a BERT encoder's 5e-5).
  public static func standard(groups: [String], trainingSamples: Int = .max, learningRate: Double = 1e-3)
    -> SearchSpace
  {
    let body = groups.filter { $0 != "head" }
    let fitting = [8, 16, 32].filter { $0 <= trainingSamples }
    let batchSizes = fitting.isEmpty ? [max(1, trainingSamples)] : fitting
    var frozenChoices = ["[]"]
    for depth in body.indices {
      frozenChoices.append("[" + body.prefix(depth + 1).joined(separator: ", ") + "]")
    }
    return SearchSpace([
      SearchDimension(
        key: .learningRate, domain: .range(low: learningRate / 10, high: learningRate * 100, log: true)),
      SearchDimension(key: .weightDecay, domain: .range(low: 1e-5, high: 1e-1, log: true)),
      SearchDimension(key: .dropout, domain: .range(low: 0, high: 0.5, log: false)),
      SearchDimension(key: .batchSize, domain: .choices(batchSizes.map(String.init))),
      SearchDimension(key: .frozen, domain: .choices(frozenChoices)),
    ])
  }

  /// The dimensions a sampler actually chooses (a fixed value has nothing to choose).
  public var searchedDimensions: [SearchDimension] { dimensions.filter { !$0.domain.isFixed } }

  /// `base` with `assignment` applied (one value per dimension, in order) and validated as a whole.
  public func hyperParameters(_ assignment: [SampledValue], base: HyperParameters) throws(ConfigError)
    -> HyperParameters
  {
    var settings = base
    for (dimension, value) in zip(dimensions, assignment) {
      settings[dimension.key] = try dimension.key.parse(dimension.text(of: value))
    }
    try settings.validate()
    return settings
  }

  /// The assignment as `key: value` text pairs, in order, for tables and reports.
  public func describe(_ assignment: [SampledValue]) -> [(key: String, value: String)] {
    zip(dimensions, assignment).map { ($0.key.name, $0.text(of: $1)) }
  }
}

/// One key of a search space and the values it may take.
public struct SearchDimension: Sendable, Equatable {
  public let key: ConfigKey
  public let domain: SearchDomain
  /// `file:line` where the space file gives this key, for messages; nil for built-in spaces.
  public let location: String?

  public init(key: ConfigKey, domain: SearchDomain, location: String? = nil) {
    self.key = key
    self.domain = domain
    self.location = location
  }

  /// A sampled value as `--set` would spell it; integer keys are rounded to the nearest integer.
  public func text(of value: SampledValue) -> String {
    switch (domain, value) {
    case (.range, .number(let number)):
      if case .count = key.kind { return String(Int(number.rounded())) }
      return formatNumber(number)
    case (.choices(let values), .choice(let index)):
      return values[min(max(index, 0), values.count - 1)]
    case (.fixed(let text), _):
      return text
    case (.range(let low, _, _), .choice):
      return formatNumber(low)
    case (.choices(let values), .number):
      return values[0]
    }
  }
}

/// The values one key may take: a range, a list of choices, or a single fixed value.
public enum SearchDomain: Sendable, Equatable {
  /// Every real in [low, high], sampled uniformly in log space when `log` (then low > 0).
  case range(low: Double, high: Double, log: Bool)
  /// Each choice spelt as `--set` takes it; a list key's choices are bracketed lists (`[]`, `[hidden1]`).
  case choices([String])
  case fixed(String)

  var isFixed: Bool {
    if case .fixed = self { return true }
    return false
  }
}

/// A sampler's pick for one dimension: a number for a range, an index for a list of choices.
public enum SampledValue: Sendable, Equatable, Hashable {
  case number(Double)
  case choice(Int)
}
