/// The five panels, in the order of their number keys and of Tab.
public enum Panel: Int, CaseIterable, Sendable {
  case hyperparameters = 1, loss, accuracy, learningRate, layers

  public var title: String {
    switch self {
    case .hyperparameters: "Hyperparameters"
    case .loss: "Loss"
    case .accuracy: "Accuracy"
    case .learningRate: "Learning rate"
    case .layers: "Layers"
    }
  }

  /// The next panel for Tab (`by: 1`) or Shift-Tab (`by: -1`), wrapping around.
  public func cycled(by offset: Int) -> Panel {
    let all = Panel.allCases
    let index = all.firstIndex(of: self)!
    return all[((index + offset) % all.count + all.count) % all.count]
  }
}
