import Training

/// What the Search screen's keys and the app loop running a hyperparameter search do.
public enum SearchAction: Sendable {
  /// Start a search from the form's settings, or stop the running one keeping its finished trials.
  case startStop
  /// Change the number of trials of the next search.
  case stepTrials(Int)
  case cycleSort(Int)
  case flipSort
  /// Show the selected trial's run in the runs table.
  case openTrial
  /// Copy the selected trial's hyperparameters into the form.
  case applyTrial
  /// Follow the search the runs table's selected trial belongs to (`S` in the runs view).
  case followSelected
  // Reports from the app loop
  case started(SearchSnapshot, base: HyperParameters)
  case snapshot(SearchSnapshot)
  /// The app began following a search directory written by another process; `base` is its
  /// `base.yaml` when it has one (what `a` applies a trial's values to).
  case following(SearchSnapshot, origin: SearchOrigin, base: HyperParameters?)
  case failed(String)
}
