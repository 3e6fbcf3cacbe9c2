/// Scales the gradients of all trainable tensors so their global L2 norm is at most `maxNorm`, as
/// PyTorch's `clip_grad_norm_` does, and returns the norm before clipping (for the dashboard).
///
/// `maxNorm` ≤ 0 turns clipping off but still measures the norm. Frozen and fixed tensors neither count
/// nor change. A non-finite norm is returned unscaled: scaling by it would only turn Inf into NaN, and
/// the trainer needs the honest value to stop a diverging run.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Float) -> Float {
  var sumOfSquares: Double = 0
  store.gradients.withUnsafeBufferPointer { grad in
    for (index, tensor) in store.tensors.enumerated() where store.isTrainable(tensor: index) {
      sumOfSquares += Elementwise.sumOfSquares(count: tensor.count, grad.baseAddress! + tensor.offset)
    }
  }
  let norm = Float(sumOfSquares.squareRoot())
  scaleGradients(store, norm: norm, maxNorm: maxNorm)
  return norm
}

/// Clips with a norm already measured (by `ParameterStore.gradientNorms(into:)`, whose `trainable`
/// result is what `clipGradientNorm` would measure), so a step reads the gradients once for all
/// norms. Returns `norm` as a Float.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Float, measuredNorm: Double) -> Float {
  let norm = Float(measuredNorm)
  scaleGradients(store, norm: norm, maxNorm: maxNorm)
  return norm
}

private func scaleGradients(_ store: ParameterStore, norm: Float, maxNorm: Float) {
  guard maxNorm > 0, norm > maxNorm, norm.isFinite else { return }
  // The 1e-6 matches PyTorch and keeps the clipped norm just under maxNorm.
  let scale = maxNorm / (norm + 1e-6)
  store.gradients.withUnsafeMutableBufferPointer { grad in
    for (index, tensor) in store.tensors.enumerated() where store.isTrainable(tensor: index) {
      Elementwise.scale(count: tensor.count, grad.baseAddress! + tensor.offset, by: scale)
    }
  }
}
