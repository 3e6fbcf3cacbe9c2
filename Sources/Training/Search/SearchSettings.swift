import Foundation

/// Everything that defines a hyperparameter search before it starts.
public struct SearchSettings: Sendable {
  /// Settings of every trial before the sampled values are applied (the seed stays the same, so
  /// every trial sees the same data split and the comparison is fair).
  public var base: HyperParameters
  public var space: SearchSpace
  public var trials: Int
  public var sampler: SamplerKind = .tpe
  public var pruner: PrunerKind = .asha
  /// Worker threads, each running whole trials with its own trainer.
  public var parallel: Int = 1
  public var seed: Int = 0
  /// Where the search's directory is created.
  public var runsRoot: URL
  /// A label for the search directory (after the timestamp); defaults to the sampler's name.
  public var name: String?
  /// ASHA: epochs before the first rung, and η (keep the best 1/η at each rung).
  public var gracePeriod: Int = 2
  public var reductionFactor: Double = 3
  /// Median rule: completed trials before it prunes, and epochs before it judges a trial.
  public var medianStartupTrials: Int = 5
  public var medianWarmupEpochs: Int = 0
  /// TPE: random trials before the model takes over.
  public var tpeStartupTrials: Int = 10

  public init(base: HyperParameters, space: SearchSpace, trials: Int, runsRoot: URL) {
    self.base = base
    self.space = space
    self.trials = trials
    self.runsRoot = runsRoot
  }

  /// Checks the numbers a person typed; the message names the option.
  public func validate() throws(ConfigError) {
    guard (1...10_000).contains(trials) else {
      throw ConfigError(key: "trials", message: "trials must be an integer in 1…10000, got \(trials)")
    }
    guard (1...64).contains(parallel) else {
      throw ConfigError(key: "parallel", message: "parallel must be an integer in 1…64, got \(parallel)")
    }
    guard gracePeriod >= 1 else {
      throw ConfigError(
        key: "grace_period", message: "grace_period must be an integer ≥ 1, got \(gracePeriod)")
    }
    guard reductionFactor >= 2, reductionFactor.isFinite else {
      throw ConfigError(
        key: "reduction_factor", message: "reduction_factor must be ≥ 2, got \(formatNumber(reductionFactor))"
      )
    }
  }

  func makeSampler() -> any TrialSampler {
    switch sampler {
    case .random: RandomSampler(seed: seed)
    case .tpe: TPESampler(seed: seed, startupTrials: tpeStartupTrials)
    }
  }

  func makePruner() -> any TrialPruner {
    switch pruner {
    case .asha:
      ASHAPruner(gracePeriod: gracePeriod, reductionFactor: reductionFactor, maxEpochs: base.epochs)
    case .median: MedianPruner(startupTrials: medianStartupTrials, warmupEpochs: medianWarmupEpochs)
    case .none: NoPruner()
    }
  }
}

extension SearchSpace {
  /// The space a search of `base` will use — `loading` it when one is given, else the standard space
  /// for `base`'s model — checked against that model's groups and training set before any trial runs.
  public static func checked(for base: HyperParameters, loading: (() throws -> SearchSpace)? = nil) throws
    -> SearchSpace
  {
    let prepared = try PreparedRun.prepare(base)
    let groups = prepared.model.groupNames
    let trainingSamples = prepared.train.count
    let recommended = ModelDefaults.defaults(for: ModelFamily(baseModel: base.baseModel)).learningRate
    let space =
      try loading?()
      ?? .standard(groups: groups, trainingSamples: trainingSamples, learningRate: recommended)
    try space.check(base: base, groups: groups, trainingSamples: trainingSamples)
    return space
  }

  /// Checks every value the space can produce against `base` and the model's `groups` (one key at a
  /// time, the others at their base value), so a bad space fails before any trial runs.
  public func check(base: HyperParameters, groups: [String], trainingSamples: Int = .max) throws(ConfigError)
  {
    for dimension in dimensions {
      var values: [SampledValue]
      switch dimension.domain {
      case .range(let low, let high, _): values = [.number(low), .number(high)]
      case .choices(let choices): values = choices.indices.map { .choice($0) }
      case .fixed: values = [.choice(0)]
      }
      for value in values {
        var settings = base
        settings[dimension.key] = try dimension.key.parse(dimension.text(of: value))
        do throws(ConfigError) {
          try settings.validate(groups: groups)
          // The one data-dependent check of `PreparedRun.prepare`, made here so a trial cannot fail late.
          if settings.batchSize > trainingSamples {
            throw ConfigError(
              key: ConfigKey.batchSize.name,
              message:
                "batch_size (\(settings.batchSize)) must be at most the number of training samples (\(trainingSamples))"
            )
          }
        } catch {
          throw ConfigError(
            key: dimension.key.name,
            message:
              "\(dimension.key.name): the value \(dimension.text(of: value)) of the search space does not work with the config; \(error.message)",
            location: dimension.location)
        }
      }
    }
  }
}
