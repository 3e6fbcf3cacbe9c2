/// A step of a network with a hand-written backward pass.
///
/// `forward` caches whatever `backward` needs; `backward` must be called after the `forward` whose
/// input it differentiates. Parameter gradients are *accumulated* into the store's gradient buffer
/// (callers zero it once per step), and only when the layer's group is trainable. The input
/// gradient is computed only when asked for, which is how a frozen prefix costs no backward work.
public protocol Layer: AnyObject {
  /// Indices into the model's `ParameterStore.tensors` of the tensors this layer owns.
  var parameterIndices: [Int] { get }
  /// `training` switches dropout on; in evaluation every layer is deterministic.
  func forward(_ input: Matrix, training: Bool) -> Matrix
  /// Returns dL/dinput when `needsInputGradient`, else nil, after accumulating dL/dparameters.
  func backward(_ outputGradient: Matrix, needsInputGradient: Bool) -> Matrix?
}
