import Foundation
import Synchronization
import Training

/// Lists the runs directory off the dashboard loop, so a refresh over thousands of runs never holds up
/// a key press; the loop asks for a listing and picks up the finished one on a later tick.
final class BackgroundRunsReader: Sendable {
  /// Only the reading thread touches the cache; the lock makes handing it over to that thread safe.
  private let cache = Mutex(RunCatalogCache())
  private let finished = Mutex<[RunRecord]?>(nil)
  private let reading = Atomic<Bool>(false)
  private let again = Atomic<Bool>(false)
  private let runs: URL

  init(runs: URL) {
    self.runs = runs
  }

  /// Starts a listing; one asked for while another is under way follows it, since the files may
  /// have changed after that one read them (a resume, a deletion).
  func request() {
    again.store(true, ordering: .releasing)
    guard reading.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      repeat {
        again.store(false, ordering: .releasing)
        let records = cache.withLock { $0.list(runs: runs) }
        finished.withLock { $0 = records }
        reading.store(false, ordering: .releasing)
        // A request that came after the store above starts its own listing; one that came during
        // the listing left `again` set and is served here.
      } while again.load(ordering: .acquiring)
        && reading.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
  }

  /// The listing finished since the last call, if any.
  func take() -> [RunRecord]? {
    finished.withLock { records in
      defer { records = nil }
      return records
    }
  }
}
