/// The contents of a safetensors file: its tensors in data order and its string metadata.
public struct SafeTensorsFile: Equatable, Sendable {
  /// Tensors in the order their bytes appear in the file.
  public let tensors: [NamedTensor]
  public let metadata: [String: String]
  private let indexByName: [String: Int]

  public init(tensors: [NamedTensor], metadata: [String: String]) {
    self.tensors = tensors
    self.metadata = metadata
    self.indexByName = Dictionary(tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
  }

  public var names: [String] { tensors.map(\.name) }

  /// The tensor called `name`, or nil.
  public subscript(name: String) -> NamedTensor? {
    indexByName[name].map { tensors[$0] }
  }
}
