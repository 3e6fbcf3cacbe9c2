/// A request from the UI to the trainer thread, applied at the next batch boundary.
public enum TrainerCommand: Sendable, Equatable {
  /// Stop by the user's choice: save `last`, status `stopped`.
  case stop
  /// Stop because of a signal: save `last`, status `interrupted`.
  case interrupt
  /// Stop because a search's scheduler (Ray Tune's ASHA) judged the run: save `last`, status
  /// `pruned` with `reason`.
  case prune(reason: String)
  /// Stop because the terminal went away (SIGHUP): finish the current epoch, save it, status
  /// `interrupted` with `reason`. While paused there is no epoch to finish, so it stops at once.
  case interruptAtEpochEnd(reason: String)
  case pause
  case resume
  case setLearningRate(Double)
  case setDropout(Double)
  case setWeightDecay(Double)
  case setFrozen(group: String, frozen: Bool)
}
