import Dashboard
import Foundation
import Training

/// Runs the dashboard's LR range test and hyperparameter search on their own threads and turns what
/// they report into actions; the dashboard loop performs its effects here and polls it every tick.
final class MachineSearchDriver {
  private let runsURL: URL
  private var finder: BackgroundLRRangeTest?
  private var reportedPoints = 0
  private var search: HyperparameterSearch?

  init(runsURL: URL) {
    self.runsURL = runsURL
  }

  /// Performs one of the LR-finder or search effects; the actions report its immediate outcome.
  func perform(_ effect: DashboardEffect) -> [DashboardAction] {
    switch effect {
    case .startLRFinder(let settings): return startLRFinder(settings)
    case .cancelLRFinder:
      finder?.cancel()
      finder = nil  // its thread ends at the next step and restores the weights of a model no one keeps
      return []
    case .startSearch(let settings, let trials): return startSearch(settings, trials: trials)
    case .stopSearch:
      search?.stop()
      return []
    default: return []
    }
  }

  /// What changed since the last tick: new points of the range test, a new picture of the search.
  func poll() -> [DashboardAction] {
    var actions: [DashboardAction] = []
    if let finder {
      if let result = finder.result {
        actions.append(.lrFinder(.finished(result)))
        self.finder = nil
      } else {
        let points = finder.points()
        if points.count != reportedPoints {
          reportedPoints = points.count
          actions.append(.lrFinder(.progress(points)))
        }
      }
    }
    if let search {
      let events = search.drainEvents()
      if !events.isEmpty {
        actions.append(.search(.snapshot(search.snapshot())))
        if events.contains(.finished) { self.search = nil }
      }
    }
    return actions
  }

  /// Ends both before the dashboard exits: the search's running trial saves `last` and its
  /// summary as interrupted, and the report is written, so no run directory is left half-written.
  func finish() {
    finder?.cancel()
    finder = nil
    guard let search else { return }
    search.stop(interrupt: true)
    _ = search.waitUntilFinished()
    self.search = nil
  }

  private func startLRFinder(_ settings: HyperParameters) -> [DashboardAction] {
    guard finder == nil else { return [] }
    let test = LRRangeTest()
    do {
      let finder = BackgroundLRRangeTest(test, prepared: try PreparedRun.prepare(settings))
      self.finder = finder
      reportedPoints = 0
      finder.start()
      return []
    } catch {
      return [.lrFinder(.failed("\(error)"))]
    }
  }

  /// One trial at a time: on the 2-core machines tunetop targets, a second trainer would take the
  /// core that draws the UI and its GEMM helper thread, and each trial would run no faster.
  private func startSearch(_ base: HyperParameters, trials: Int) -> [DashboardAction] {
    guard search == nil else { return [] }
    do {
      let space = try SearchSpace.checked(for: base)
      var settings = SearchSettings(base: base, space: space, trials: trials, runsRoot: runsURL)
      settings.sampler = .tpe
      settings.pruner = .asha
      settings.parallel = 1
      let search = try HyperparameterSearch(settings)
      self.search = search
      search.start()
      return [.search(.started(search.snapshot(), base: base))]
    } catch {
      return [.search(.failed("\(error)"))]
    }
  }
}
