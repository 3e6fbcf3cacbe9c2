import Foundation

/// `search.json`, the one record of a search and its trials, written the same way by tunetop's own
/// search and by a search whose trials another scheduler (Ray Tune) placed.
public enum SearchRecordFile {
  /// Rewrites `search.json` atomically: the settings and every trial so far, so a killed search
  /// still says which run directories are its trials. `backend` is added when it is not tunetop's.
  public static func write(
    id: String, settings: SearchSettings, trials: [SearchTrial], directory: URL, backend: String? = nil
  ) throws {
    var object: [String: Any] = [
      "id": id,
      "sampler": settings.sampler.rawValue,
      "pruner": settings.pruner.rawValue,
      "seed": settings.seed,
      "parallel": settings.parallel,
      "planned_trials": settings.trials,
      "objective": "minimise best val_loss",
      "space": settings.space.dimensions.map { dimension -> [String: Any] in
        switch dimension.domain {
        case .range(let low, let high, let log):
          return ["key": dimension.key.name, "low": low, "high": high, "log": log]
        case .choices(let values): return ["key": dimension.key.name, "choices": values]
        case .fixed(let value): return ["key": dimension.key.name, "value": value]
        }
      },
      "trials": trials.map(entry),
    ]
    if let backend { object["backend"] = backend }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(data + Data("\n".utf8), to: directory.appendingPathComponent("search.json"))
  }

  static func entry(_ trial: SearchTrial) -> [String: Any] {
    var entry: [String: Any] = [
      "trial": trial.number, "status": trial.status.rawValue,
      "params": Dictionary(uniqueKeysWithValues: trial.parameters.map { ($0.key, $0.value) }),
    ]
    if let path = trial.directory { entry["run"] = URL(fileURLWithPath: path).lastPathComponent }
    if let summary = trial.summary {
      entry["epochs_run"] = summary.epochsRun
      if summary.bestValidationLoss.isFinite { entry["best_val_loss"] = summary.bestValidationLoss }
      if summary.bestValidationAccuracy.isFinite {
        entry["best_val_accuracy"] = summary.bestValidationAccuracy
      }
      entry["wall_seconds"] = summary.wallSeconds
      if let host = summary.writer?.host { entry["host"] = host }
      if let node = summary.node { entry["node"] = node }
    }
    if let reason = trial.reason { entry["reason"] = reason }
    return entry
  }
}

/// Reads a search's trials back from its run directories (those whose `summary.json` names the
/// search), for a search whose trials ran in other processes, possibly on other machines.
public enum SearchDirectoryScan {
  /// Every trial directory under `directory`, by trial number; the parameters are read from each
  /// run's `config.yaml` for the keys of `space`, the curve from its `metrics.csv`.
  public static func trials(in directory: URL, space: SearchSpace?) -> [SearchTrial] {
    var cache = SearchDirectoryCache()
    return cache.trials(in: directory, space: space)
  }

  /// The trial in `run` without its curve (the cache reads `metrics.csv` as it grows), nil for a
  /// directory that is not a trial of the search `id`. A trial of another trainer (or without a
  /// `space`) has every key of its `config.yaml` as parameters.
  static func trial(at run: URL, id: String, space: SearchSpace?) -> SearchTrial? {
    guard let summary = RunCatalog.readSummary(run), summary.search == id, let number = summary.trial
    else { return nil }
    var assignment: [SampledValue] = []
    var parameters: [SearchParameter] = []
    if let space, summary.isTunetopRun {
      let settings = RunCatalog.readSettings(run)
      for dimension in space.dimensions {
        let value = settings.map { $0[dimension.key] }
        assignment.append(sampled(value, in: dimension))
        parameters.append(
          SearchParameter(
            key: dimension.key.name,
            value: value.map { dimension.text(of: sampled($0, in: dimension)) } ?? "?"))
      }
    } else {
      for pair in ForeignConfig.read(path: run.appendingPathComponent("config.yaml").path) {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        parameters.append(SearchParameter(key: parts[0], value: parts.count > 1 ? parts[1] : ""))
      }
    }
    var trial = SearchTrial(
      number: number, assignment: assignment, parameters: parameters, status: summary.status)
    trial.directory = run.path
    trial.summary = summary
    trial.reason = summary.reason
    return trial
  }

  /// The sampled value a config value stands for: the number of a range, the index of a choice.
  static func sampled(_ value: ConfigValue?, in dimension: SearchDimension) -> SampledValue {
    switch dimension.domain {
    case .range:
      switch value {
      case .number(let number): return .number(number)
      case .integer(let number): return .number(Double(number))
      default: return .number(.nan)
      }
    case .choices(let texts):
      let index = texts.firstIndex { (try? dimension.key.parse($0)) == value }
      return .choice(index ?? 0)
    case .fixed: return .choice(0)
    }
  }
}
