import Dashboard
import Foundation
import Synchronization
import Training

/// The dashboard's Search screen on a search another process runs (a Ray search, a Ray Tune or
/// Optuna study written by the callbacks, `tunetop search` in another terminal): a
/// `SearchDirectoryFollower` reads the directory on its own thread twice a second, and each picture
/// reaches the reducer as the snapshot its own search would send.
extension DashboardApp {
  /// How often the followed directory is read; a refresh reads only what changed since the last.
  static let searchFollowInterval = Duration.milliseconds(500)

  /// Starts following the search directory at `url` in place of any search followed before.
  func beginFollowingSearch(_ url: URL) {
    let header = SearchDirectoryHeader.read(url)
    let origin = SearchOrigin(
      directory: url.path, backend: header.backend, sampler: header.sampler, pruner: header.pruner)
    // A search of tunetop's own trials keeps its base settings there (the Ray launcher writes it),
    // so `a` can put a trial's values into the form.
    let base = try? RunConfigReader.read(path: url.appendingPathComponent("base.yaml").path)
    searchFollow = SearchFollow(reader: BackgroundSearchReader(directory: url), origin: origin, base: base)
    searchFollow?.reader.request()
  }

  /// Hands the reducer what the reader found and asks for the next reading when one is due.
  func followSearchDirectory() {
    guard var follow = searchFollow else { return }
    if let snapshot = follow.reader.take() {
      if follow.announced {
        dispatch(.search(.snapshot(snapshot)))
      } else {
        follow.announced = true
        dispatch(.search(.following(snapshot, origin: follow.origin, base: follow.base)))
      }
    }
    if clock.now - follow.lastRequest >= DashboardApp.searchFollowInterval {
      follow.lastRequest = clock.now
      follow.reader.request()
    }
    searchFollow = follow
  }
}

/// The followed search directory's reader and what the Search screen was told about it.
struct SearchFollow {
  let reader: BackgroundSearchReader
  let origin: SearchOrigin
  let base: HyperParameters?
  var announced = false
  var lastRequest = ContinuousClock.now
}

/// Reads a followed search directory off the dashboard loop, so the first reading of a search of
/// a thousand trials (a fraction of a second) never holds up a key press.
final class BackgroundSearchReader: Sendable {
  /// Only the reading thread touches the follower; the lock makes handing it over safe.
  private let follower: Mutex<SearchDirectoryFollower>
  private let finished = Mutex<SearchSnapshot?>(nil)
  private let reading = Atomic<Bool>(false)

  init(directory: URL) {
    follower = Mutex(SearchDirectoryFollower(directory: directory))
  }

  /// Starts a reading unless one is under way (the next request after it will read what it missed).
  func request() {
    guard reading.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return }
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      let snapshot = follower.withLock { $0.refresh() }
      finished.withLock { $0 = snapshot }
      reading.store(false, ordering: .releasing)
    }
  }

  /// The reading finished since the last call, if any.
  func take() -> SearchSnapshot? {
    finished.withLock { snapshot in
      defer { snapshot = nil }
      return snapshot
    }
  }
}
