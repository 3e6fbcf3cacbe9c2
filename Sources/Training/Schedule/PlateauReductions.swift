/// How many times PyTorch's `ReduceLROnPlateau` (mode `min`, absolute threshold, cooldown 0) would
/// have cut the learning rate after seeing `history`, one validation loss per evaluation.
///
/// A value improves only if it is below the best so far by more than `threshold`; after more than
/// `patience` evaluations in a row without improvement the rate is cut and the count restarts.
/// Written as a fold over the whole history so the schedule stays a pure function.
public func plateauReductions(history: [Double], patience: Int, threshold: Double) -> Int {
  var best = Double.infinity
  var badEvaluations = 0
  var reductions = 0
  for value in history {
    if value < best - threshold {
      best = value
      badEvaluations = 0
    } else {
      badEvaluations += 1
    }
    if badEvaluations > patience {
      reductions += 1
      badEvaluations = 0
    }
  }
  return reductions
}
