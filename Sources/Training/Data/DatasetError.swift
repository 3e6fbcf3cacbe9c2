/// Why a dataset could not be loaded or split, with the valid range of the offending setting.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
  case missingResource(String)
  case corruptResource(String)
  case invalidValFraction(Double)
  case invalidTrainSamples(requested: Int, available: Int)
  case tooFewSamples(count: Int, needed: Int)
  case tooFewToStratify(count: Int, classes: Int)

  public var description: String {
    switch self {
    case .missingResource(let name):
      return "the built-in data \(name) is missing from the package resources; rebuild tunetop"
    case .corruptResource(let reason):
      return "the built-in digits data is corrupt: \(reason)"
    case .invalidValFraction(let value):
      return "val_fraction is \(value); expected a fraction greater than 0 and less than 1"
    case .invalidTrainSamples(let requested, let available):
      return "train_samples is \(requested); expected 1 to \(available), the samples left after "
        + "the test and validation sets are set aside"
    case .tooFewToStratify(let count, let classes):
      return "the data has \(count) samples in \(classes) classes, too few to set aside a test set, a "
        + "validation set and training samples from each class; add rows, lower val_fraction, or give "
        + "val_task and test_task files"
    case .tooFewSamples(let count, let needed):
      return "the data has \(count) samples; expected at least \(needed), enough for a test set, "
        + "a validation set and one training sample"
    }
  }
}
