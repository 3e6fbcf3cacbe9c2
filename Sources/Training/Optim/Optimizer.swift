import Foundation

/// Updates the trainable parameters of a `ParameterStore` from its gradients (SGD, Nesterov, Adam,
/// AdamW with PyTorch semantics).
///
/// Moment buffers are flat and share the store's layout, as in llm.c, so tensor `i`'s state lives at
/// `store.tensors[i].range`. Frozen (and fixed) tensors are skipped entirely: their slice stays zero and their
/// step count stays 0, so freezing costs no optimizer state and an unfrozen group starts fresh.
public final class Optimizer {
  public let kind: OptimizerKind
  /// SGD momentum; 0 gives plain SGD. Ignored by Adam and AdamW, which use `beta1`.
  public var momentum: Float
  /// Coupled L2 (`sgd`, `nesterov`, `adam`) or decoupled (`adamw`); editable between steps.
  public var weightDecay: Float
  public let beta1: Float = 0.9
  public let beta2: Float = 0.999
  public let epsilon: Float = 1e-8
  public let store: ParameterStore

  /// SGD momentum buffer, or Adam's first moment (`exp_avg`).
  public internal(set) var firstMoment: [Float]
  /// Adam's second moment (`exp_avg_sq`); all zeros for SGD.
  public internal(set) var secondMoment: [Float]
  /// Updates applied to each tensor, indexed like `store.tensors`. Per tensor rather than global so
  /// that Adam's bias correction restarts at t = 1 for a group unfrozen mid-run.
  public internal(set) var stepCounts: [Int]

  public init(kind: OptimizerKind, momentum: Float, weightDecay: Float, store: ParameterStore) {
    self.kind = kind
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.store = store
    firstMoment = Array(repeating: 0, count: store.count)
    secondMoment = Array(repeating: 0, count: kind.usesSecondMoment ? store.count : 0)
    stepCounts = Array(repeating: 0, count: store.tensors.count)
  }

  public convenience init(_ hyperParameters: HyperParameters, store: ParameterStore) {
    self.init(
      kind: hyperParameters.optimizer, momentum: Float(hyperParameters.momentum),
      weightDecay: Float(hyperParameters.weightDecay), store: store)
  }

  /// Applies one update to every trainable tensor with `learningRate` × its group's multiplier.
  public func step(learningRate: Float) {
    precondition(
      store.count == firstMoment.count && store.tensors.count == stepCounts.count,
      "the parameter store changed layout after the optimizer was built")
    for index in store.tensors.indices where store.isTrainable(tensor: index) {
      stepCounts[index] += 1
    }
    switch kind {
    case .sgd, .nesterov:
      for (index, tensor) in store.tensors.enumerated() where store.isTrainable(tensor: index) {
        sgdStep(tensor.range, lr: learningRate * store.learningRateMultiplier(group: tensor.group))
      }
    case .adam, .adamw:
      adamStep(learningRate: learningRate)
    }
  }

  /// Forgets the state of `group`'s tensors; call it when the group is frozen so that a later
  /// unfreeze does not resume from stale moments.
  public func resetState(group: String) {
    for (index, tensor) in store.tensors.enumerated() where tensor.group == group {
      stepCounts[index] = 0
      firstMoment.replaceSubrange(tensor.range, with: repeatElement(0, count: tensor.count))
      if kind.usesSecondMoment {
        secondMoment.replaceSubrange(tensor.range, with: repeatElement(0, count: tensor.count))
      }
    }
  }

  private func sgdStep(_ range: Range<Int>, lr: Float) {
    let momentum = momentum
    let weightDecay = weightDecay
    let nesterov = kind == .nesterov
    store.values.withUnsafeMutableBufferPointer { p in
      store.gradients.withUnsafeBufferPointer { grad in
        firstMoment.withUnsafeMutableBufferPointer { buf in
          for i in range {
            var g = grad[i]
            if weightDecay != 0 { g += weightDecay * p[i] }
            if momentum != 0 {
              // PyTorch seeds the buffer with the first gradient; a fresh buffer is zero, and without
              // dampening momentum·0 + g is exactly that seed.
              buf[i] = momentum * buf[i] + g
              g = nesterov ? g + momentum * buf[i] : buf[i]
            }
            p[i] -= lr * g
          }
        }
      }
    }
  }

  /// Adam or AdamW over every trainable tensor, each tensor's halves on two threads (an update is
  /// elementwise, so the halves are independent and the result is the same either way). The
  /// buffers are opened once here, so the parts only ever see raw pointers.
  private func adamStep(learningRate: Float) {
    // Read before the buffers are opened: `count` reads `store.values`, which is then being modified.
    let worthIt = store.count >= TwoThreads.minimumElements
    let (store, stepCounts) = (store, stepCounts)
    store.values.withUnsafeMutableBufferPointer { p in
      store.gradients.withUnsafeBufferPointer { grad in
        firstMoment.withUnsafeMutableBufferPointer { m in
          secondMoment.withUnsafeMutableBufferPointer { v in
            let pass = AdamPass(
              optimizer: self, store: store, stepCounts: stepCounts, learningRate: learningRate,
              p: p.baseAddress!, grad: grad.baseAddress!, m: m.baseAddress!, v: v.baseAddress!)
            TwoThreads.run(if: worthIt, pass)
          }
        }
      }
    }
  }
}

/// One Adam or AdamW step over the store's raw buffers; part p updates half p of every trainable
/// tensor.
private struct AdamPass: TwoPartPass {
  unowned(unsafe) let optimizer: Optimizer
  unowned(unsafe) let store: ParameterStore
  let stepCounts: [Int]
  let learningRate: Float
  let p: UnsafeMutablePointer<Float>
  let grad: UnsafePointer<Float>
  let m: UnsafeMutablePointer<Float>
  let v: UnsafeMutablePointer<Float>

  func run(part: Int) {
    let (beta1, beta2, epsilon, weightDecay) = (
      optimizer.beta1, optimizer.beta2, optimizer.epsilon, optimizer.weightDecay
    )
    let decoupled = optimizer.kind == .adamw
    for (index, tensor) in store.tensors.enumerated() where store.isTrainable(tensor: index) {
      let lr = learningRate * store.learningRateMultiplier(group: tensor.group)
      let t = stepCounts[index]
      // Bias corrections in Double: 1 − β2^t is tiny for small t and loses digits in Float.
      let correction1 = Float(1 - pow(Double(beta1), Double(t)))
      let inverseCorrection2Root = Float(1 / (1 - pow(Double(beta2), Double(t))).squareRoot())
      let half = TwoThreads.range(part, of: tensor.count)
      let start = tensor.offset + half.lowerBound
      // One vectorised pass (AVX2 sqrt and divide when available); see Elementwise.adamUpdate.
      Elementwise.adamUpdate(
        count: half.count, p: p + start, g: grad + start, m: m + start, v: v + start,
        beta1: beta1, beta2: beta2,
        decoupledDecay: decoupled ? lr * weightDecay : 0, coupledDecay: decoupled ? 0 : weightDecay,
        stepSize: lr / correction1, inverseCorrection2Root: inverseCorrection2Root, epsilon: epsilon)
    }
  }
}

extension OptimizerKind {
  /// Whether the optimizer keeps Adam's second moment.
  var usesSecondMoment: Bool { self == .adam || self == .adamw }
}
