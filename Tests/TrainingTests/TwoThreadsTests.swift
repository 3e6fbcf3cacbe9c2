import Testing

@testable import Training

@Test(arguments: [0, 1, 16, 17, 40_003])
func twoThreadRangesCoverEveryItemOnce(count: Int) {
  let first = TwoThreads.range(0, of: count)
  let second = TwoThreads.range(1, of: count)
  #expect(first.lowerBound == 0 && first.upperBound == second.lowerBound && second.upperBound == count)
  #expect(first.count % 16 == 0 || second.isEmpty)
  #expect(abs(first.count - second.count) <= 32)
}

@Test func passesSplitInTwoWriteEveryElementOnce() {
  var marks = [Int32](repeating: 0, count: 100_003)
  marks.withUnsafeMutableBufferPointer { buffer in
    TwoThreads.split(count: buffer.count, buffer.baseAddress!) { base, range in
      for index in range { base[index] += 1 }
    }
  }
  #expect(marks.allSatisfy { $0 == 1 })
}

/// One training step (dropout on, AdamW) of an encoder large enough that attention, the
/// elementwise passes and the optimizer all split in two: values and gradients after it.
private func trainingStep(threads: Int) -> (values: [Float], gradients: [Float]) {
  setTrainingThreads(threads)
  defer { setTrainingThreads(2) }
  let config = BertConfig(
    vocabularySize: 500, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 1024, maxPositions: 64,
    hiddenDropout: 0.1, attentionDropout: 0.1)
  let model = BertClassifier(config: config, classes: 3, pooling: .mean, seed: 7)
  let optimizer = Optimizer(kind: .adamw, momentum: 0.9, weightDecay: 0.01, store: model.store)
  var rng = SplitMix64(seed: 8)
  let sequences = (0..<6).map { index in
    (0..<(8 + 4 * index)).map { _ in Int32(rng.next() % 500) }
  }
  model.store.zeroGradients()
  let logits = model.forward(TokenBatch(sequences: sequences), training: true)
  model.backward(SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: [0, 1, 2, 0, 1, 2]).gradient)
  let gradients = model.store.gradients
  optimizer.step(learningRate: 1e-3)
  return (model.store.values, gradients)
}

// The second thread takes half of the attention core's sequences (its dropout stream jumping
// ahead), half of every elementwise pass and half of every tensor's update; none of it may change
// a bit. (When another test holds the worker, both halves run here in turn: equal all the same.)
@Test func aTrainingStepGivesTheSameBitsOnOneOrTwoThreads() {
  let one = trainingStep(threads: 1)
  let two = trainingStep(threads: 2)
  #expect(one.gradients == two.gradients)
  #expect(one.values == two.values)
  #expect(one.gradients.contains { $0 != 0 })
}
