import Testing

@testable import Training

private func batch(rows: Int, model: MLP, seed: UInt64) -> (x: Matrix, labels: [Int]) {
  var rng = SplitMix64(seed: seed)
  let x = GradientCheck.randomMatrix(rows: rows, cols: model.inputSize, rng: &rng)
  return (x, (0..<rows).map { _ in Int(rng.next() % UInt64(model.classes)) })
}

/// One training step's gradients: zero, forward, loss, backward.
private func accumulateGradients(_ model: MLP, _ x: Matrix, _ labels: [Int]) {
  model.store.zeroGradients()
  let logits = model.forward(x, training: true)
  model.backward(SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: labels).gradient)
}

@Test func mlpHasNamedGroupsWithPyTorchShapedParameters() {
  let model = MLP(inputSize: 6, hiddenSizes: [8, 5], classes: 3, dropout: 0.1, seed: 1)
  #expect(model.groupNames == ["hidden1", "hidden2", "head"])
  #expect(model.store.groups == model.groupNames)
  #expect(
    model.store.tensors.map(\.name) == [
      "hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias", "head.weight", "head.bias",
    ])
  #expect(model.store.tensors[0].shape == [8, 6])
  #expect(model.parameterCount(group: "hidden1") == 8 * 6 + 8)
  #expect(model.parameterCount(group: "hidden2") == 5 * 8 + 5)
  #expect(model.parameterCount(group: "head") == 3 * 5 + 3)
  #expect(model.forward(Matrix(rows: 4, cols: 6), training: false).cols == 3)
}

@Test func mlpParameterGradientsMatchFiniteDifferences() {
  let model = MLP(inputSize: 4, hiddenSizes: [6, 5], classes: 3, dropout: 0.3, seed: 61)
  let (x, labels) = batch(rows: 5, model: model, seed: 62)
  let loss = SoftmaxCrossEntropy(labelSmoothing: 0.1)
  // Every forward replays the same dropout masks, so the objective is a fixed function.
  let masks = model.dropoutRNGStates
  let objective = { () -> Double in
    model.dropoutRNGStates = masks
    return loss.evaluate(logits: model.forward(x, training: true), labels: labels).loss
  }
  model.store.zeroGradients()
  model.dropoutRNGStates = masks
  let logits = model.forward(x, training: true)
  model.backward(loss.lossAndGradient(logits: logits, labels: labels).gradient)
  let store = model.store
  let numeric = GradientCheck.numeric(
    count: store.count, step: 1e-3, get: { store.values[$0] }, set: { store.values[$0] = $1 },
    objective: objective)
  GradientCheck.expectMatch(store.gradients, numeric, "whole MLP")
}

@Test func aFrozenMiddleGroupPassesTheGradientThroughButGetsNone() {
  let reference = MLP(inputSize: 5, hiddenSizes: [7, 6, 4], classes: 3, dropout: 0, seed: 71)
  let model = MLP(inputSize: 5, hiddenSizes: [7, 6, 4], classes: 3, dropout: 0, seed: 71)
  model.store.setFrozen(true, group: "hidden2")
  let (x, labels) = batch(rows: 6, model: model, seed: 72)
  accumulateGradients(reference, x, labels)
  accumulateGradients(model, x, labels)
  #expect(model.store.gradientNorm(group: "hidden2") == 0)
  for group in ["hidden1", "hidden3", "head"] {
    #expect(model.store.gradientNorm(group: group) > 0)
    let range = model.store.tensors.filter { $0.group == group }.map(\.range)
    for r in range { #expect(Array(model.store.gradients[r]) == Array(reference.store.gradients[r])) }
  }
}

@Test func backwardDoesNoWorkBelowTheLowestTrainableGroup() {
  let model = MLP(inputSize: 5, hiddenSizes: [7, 6, 4], classes: 3, dropout: 0.2, seed: 81)
  model.store.setFrozen(true, group: "hidden1")
  model.store.setFrozen(true, group: "hidden2")
  let (x, labels) = batch(rows: 6, model: model, seed: 82)
  accumulateGradients(model, x, labels)
  func inputGradientRows(_ group: Int, _ layer: Int) -> Int {
    switch model.groups[group].layers[layer] {
    case let dense as Dense: dense.inputGradient.rows
    case let relu as ReLU: relu.inputGradient.rows
    case let dropout as Dropout: dropout.inputGradient.rows
    default: -1
    }
  }
  // hidden1 and hidden2 are never visited; hidden3 stops at its Dense, which needs no dx.
  for group in 0..<2 {
    for layer in 0..<3 { #expect(inputGradientRows(group, layer) == 0, "group \(group) layer \(layer)") }
  }
  #expect(inputGradientRows(2, 0) == 0)
  #expect(inputGradientRows(2, 1) == 6)
  #expect(inputGradientRows(2, 2) == 6)
  #expect(inputGradientRows(3, 0) == 6)
  #expect(model.store.gradientNorm(group: "hidden1") == 0)
  #expect(model.store.gradientNorm(group: "hidden2") == 0)
  #expect(model.store.gradientNorm(group: "hidden3") > 0)
  #expect(model.store.gradientNorm(group: "head") > 0)
}

@Test func backwardWithEverythingFrozenDoesNothing() {
  let model = MLP(inputSize: 3, hiddenSizes: [4], classes: 2, dropout: 0, seed: 83)
  for group in model.groupNames { model.store.setFrozen(true, group: group) }
  let (x, labels) = batch(rows: 3, model: model, seed: 84)
  accumulateGradients(model, x, labels)
  #expect(model.store.gradients.allSatisfy { $0 == 0 })
  #expect((model.groups[1].layers[0] as! Dense).inputGradient.rows == 0)
}

@Test func evaluationIsDeterministicAndIndependentOfBatchSize() {
  let model = MLP(inputSize: 4, hiddenSizes: [8], classes: 3, dropout: 0.5, seed: 91)
  let (x, labels) = batch(rows: 23, model: model, seed: 92)
  let whole = model.evaluate(features: x, labels: labels, batchSize: 100)
  let pieces = model.evaluate(features: x, labels: labels, batchSize: 5)
  #expect(abs(whole.loss - pieces.loss) < 1e-9)
  #expect(whole.accuracy == pieces.accuracy)
  let direct = SoftmaxCrossEntropy().evaluate(logits: model.forward(x, training: false), labels: labels)
  #expect(abs(whole.loss - direct.loss) < 1e-9)
  #expect(whole.accuracy == Double(direct.correct) / 23)
}

@Test func dropoutSettingAndGeneratorStatesRoundTrip() {
  let model = MLP(inputSize: 4, hiddenSizes: [16, 16], classes: 3, dropout: 0.2, seed: 93)
  model.dropout = 0.45
  #expect(model.groups.compactMap(\.dropout).allSatisfy { $0.rate == 0.45 })
  let (x, _) = batch(rows: 4, model: model, seed: 94)
  let saved = model.dropoutRNGStates
  #expect(saved.count == 2)
  let first = model.forward(x, training: true)
  #expect(model.forward(x, training: true) != first, "fresh masks each step")
  model.dropoutRNGStates = saved
  #expect(model.forward(x, training: true) == first)
}

@Test func reinitialisingAGroupTouchesOnlyThatGroupAndFollowsTheSeed() {
  let model = MLP(inputSize: 4, hiddenSizes: [6], classes: 3, dropout: 0, seed: 95)
  let hidden = model.store.tensors.filter { $0.group == "hidden1" }.map(\.range)
  let head = model.store.tensors.filter { $0.group == "head" }.map(\.range)
  let hiddenBefore = hidden.map { Array(model.store.values[$0]) }
  let headBefore = head.map { Array(model.store.values[$0]) }
  model.resetHead(seed: 3)
  let headAfter = head.map { Array(model.store.values[$0]) }
  #expect(headAfter != headBefore)
  #expect(hidden.map { Array(model.store.values[$0]) } == hiddenBefore)
  model.reinitialize(group: "head", seed: 3)
  #expect(head.map { Array(model.store.values[$0]) } == headAfter)
}
