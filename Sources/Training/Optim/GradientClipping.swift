/// Scales the gradients of all trainable tensors so their global L2 norm is at most `maxNorm`, as
/// PyTorch's `clip_grad_norm_` does, and returns the norm before clipping (for the dashboard).
///
/// `maxNorm` ≤ 0 turns clipping off but still measures the norm. Frozen tensors neither count nor
/// change. A non-finite norm is returned unscaled: scaling by it would only turn Inf into NaN, and
/// the trainer needs the honest value to stop a diverging run.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Float) -> Float {
  let trainable = store.tensors.filter { store.isTrainable(group: $0.group) }
  var sumOfSquares: Double = 0
  store.gradients.withUnsafeBufferPointer { grad in
    for tensor in trainable {
      for i in tensor.range { sumOfSquares += Double(grad[i]) * Double(grad[i]) }
    }
  }
  let norm = Float(sumOfSquares.squareRoot())
  guard maxNorm > 0, norm > maxNorm, norm.isFinite else { return norm }
  // The 1e-6 matches PyTorch and keeps the clipped norm just under maxNorm.
  let scale = maxNorm / (norm + 1e-6)
  store.gradients.withUnsafeMutableBufferPointer { grad in
    for tensor in trainable {
      for i in tensor.range { grad[i] *= scale }
    }
  }
  return norm
}
