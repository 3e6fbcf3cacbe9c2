/// Where each panel goes for a terminal size: the form and layers on the left, the three charts on the
/// right, a message line and the status bar at the bottom. Extra space goes to the charts.
public struct DashboardLayout: Equatable, Sendable {
  public static let minimumWidth = 80
  public static let minimumHeight = 24

  public var hyperparameters: Rect
  public var layers: Rect
  public var loss: Rect
  public var accuracy: Rect
  public var learningRate: Rect
  public var messageRow: Int
  public var statusRow: Int

  public init(width: Int, height: Int, groupCount: Int) {
    let panelHeight = max(0, height - 2)
    // The form needs room for `early_stopping_patience` and a value; beyond that, width goes to charts.
    let leftWidth = min(max(40, width * 3 / 10), 52)
    let (left, right) = Rect(x: 0, y: 0, width: width, height: panelHeight).splitLeft(leftWidth)
    let layersHeight = min(max(3, groupCount) + 2, panelHeight / 2)
    (hyperparameters, layers) = left.splitTop(panelHeight - layersHeight)
    let lossHeight = panelHeight * 8 / 22
    let accuracyHeight = panelHeight * 6 / 22
    var rest: Rect
    (loss, rest) = right.splitTop(lossHeight)
    (accuracy, learningRate) = rest.splitTop(accuracyHeight)
    messageRow = height - 2
    statusRow = height - 1
  }

  init(_ state: DashboardState) {
    self.init(width: state.width, height: state.height, groupCount: state.groups.count)
  }

  /// Where the Accuracy panel's per-class view goes when it needs `rows` inside its frame: the
  /// Accuracy panel's place, grown down into the Learning-rate panel as far as needed, and what is
  /// left of that panel (nil when too little is left to draw it).
  public func perClass(rows: Int) -> (view: Rect, learningRate: Rect?) {
    let available = learningRate.maxY - accuracy.y
    let wanted = min(available, max(accuracy.height, rows + 2))
    let rest = available - wanted
    guard rest >= 5 else {
      return (Rect(x: accuracy.x, y: accuracy.y, width: accuracy.width, height: available), nil)
    }
    return (
      Rect(x: accuracy.x, y: accuracy.y, width: accuracy.width, height: wanted),
      Rect(x: learningRate.x, y: accuracy.y + wanted, width: learningRate.width, height: rest)
    )
  }

  /// How many form rows are visible inside the Hyperparameters box.
  public var formRows: Int { max(0, hyperparameters.height - 2) }

  /// How many layer groups are visible inside the Layers box.
  public var layerRows: Int { max(0, layers.height - 2) }

  public func rect(of panel: Panel) -> Rect {
    switch panel {
    case .hyperparameters: hyperparameters
    case .loss: loss
    case .accuracy: accuracy
    case .learningRate: learningRate
    case .layers: layers
    }
  }
}
