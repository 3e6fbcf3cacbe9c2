import Foundation

/// The training loop of one run, executed on whichever thread calls `run()`.
///
/// It owns the model, optimizer and run directory outright; the outside world reaches it only
/// through `publish` (events out) and `pollCommands` (commands in, read at batch boundaries).
final class TrainingSession {
  private let prepared: PreparedRun
  private var hyperParameters: HyperParameters
  private let model: MLP
  private let optimizer: Optimizer
  private var schedule: LearningRateSchedule
  private var earlyStopping: EarlyStopping
  private var unfreezePlan: UnfreezePlan
  private var shuffleRNG: SplitMix64
  private let lossFunction: SoftmaxCrossEntropy
  private let directory: RunDirectory?
  private let publish: (TrainingEvent) -> Void
  private let pollCommands: () -> [TrainerCommand]

  private let stepsPerEpoch: Int
  private let clock = ContinuousClock()
  private var startTime: ContinuousClock.Instant
  private var step = 0
  private var epochsRun = 0
  private var samplesSeen = 0
  private var validationHistory: [Double] = []
  private var best: EpochMetrics?
  private var status: RunStatus = .running
  private var reason: String?
  private var learningRate = 0.0
  /// Shuffled sample order, batch inputs and labels: reused every step.
  private var order: [Int]
  private var batchFeatures = Matrix(rows: 0, cols: 0)
  private var batchLabels: [Int] = []
  private var recentThroughput: (time: ContinuousClock.Instant, samples: Int)

  init(
    prepared: PreparedRun, directory: RunDirectory?, publish: @escaping (TrainingEvent) -> Void,
    pollCommands: @escaping () -> [TrainerCommand]
  ) {
    self.prepared = prepared
    hyperParameters = prepared.hyperParameters
    model = prepared.model
    self.directory = directory
    self.publish = publish
    self.pollCommands = pollCommands
    let hp = prepared.hyperParameters
    stepsPerEpoch = max(1, (prepared.train.count + hp.batchSize - 1) / hp.batchSize)
    optimizer = Optimizer(
      kind: hp.optimizer, momentum: Float(hp.momentum), weightDecay: Float(hp.weightDecay),
      store: prepared.model.store)
    schedule = LearningRateSchedule(hp, stepsPerEpoch: stepsPerEpoch)
    earlyStopping = EarlyStopping(patience: hp.earlyStoppingPatience, minDelta: hp.minDelta)
    unfreezePlan = UnfreezePlan(
      groups: prepared.model.groupNames, frozen: hp.frozen, every: hp.unfreezeEvery)
    // Shuffling gets its own stream so that changing e.g. dropout does not change the sample order.
    shuffleRNG = SplitMix64(seed: UInt64(hp.seed) &* 0x9E37_79B9 &+ 17)
    order = Array(0..<prepared.train.count)
    lossFunction = SoftmaxCrossEntropy(labelSmoothing: Float(hp.labelSmoothing))
    startTime = clock.now
    recentThroughput = (startTime, 0)
    applyLayerLearningRates()
  }

  /// Trains until the epochs run out, early stopping fires, the loss diverges or a command stops it.
  func run() -> RunSummary {
    startTime = clock.now
    recentThroughput = (startTime, 0)
    let store = model.store
    for group in unfreezePlan.frozenGroups(atEpoch: 1) { store.setFrozen(true, group: group) }
    publish(
      .started(
        RunStart(
          directory: directory?.url.path, hyperParameters: hyperParameters, stepsPerEpoch: stepsPerEpoch,
          totalSteps: stepsPerEpoch * hyperParameters.epochs, groups: model.groupNames,
          parameterCounts: Dictionary(
            uniqueKeysWithValues: model.groupNames.map { ($0, store.parameterCount(group: $0)) }),
          frozen: model.groupNames.filter { !store.isTrainable(group: $0) },
          trainSamples: prepared.train.count, validationSamples: prepared.validation.count)))
    publish(.statusChanged(.running))
    do {
      try directory?.writeConfig(hyperParameters)
      try directory?.appendEvent(
        "start", step: 0,
        fields: [
          "train_samples": .integer(prepared.train.count), "base_model": .text(prepared.baseDescription),
        ])
      try writeSummary()
      // Epoch 0 measures the starting model, so the curves begin where fine-tuning begins.
      learningRate = schedule.learningRate(at: 0)
      try finishEpoch(epoch: 0, trainLoss: nil, trainAccuracy: nil)
      trainLoop: for epoch in 1...max(1, hyperParameters.epochs) where epoch <= hyperParameters.epochs {
        try applyScheduledUnfreezing(epoch: epoch)
        let outcome = try trainEpoch(epoch: epoch)
        guard let (loss, accuracy) = outcome else { break trainLoop }
        try finishEpoch(epoch: epoch, trainLoss: loss, trainAccuracy: accuracy)
        if status != .running { break trainLoop }
      }
      if status == .running || status == .paused { status = .completed }
      try finish()
    } catch {
      status = .failed
      reason = String(describing: error)
      publish(.message(reason!))
      // The directory itself may be what failed; still tell the UI how the run ended.
      try? writeSummary()
    }
    publish(.statusChanged(status))
    let summary = makeSummary()
    publish(.finished(summary))
    return summary
  }

  // MARK: - One epoch

  /// Returns the epoch's mean train loss and accuracy, or nil if the run ended inside the epoch.
  private func trainEpoch(epoch: Int) throws -> (Double, Double)? {
    let train = prepared.train
    shuffleRNG.shuffle(&order)
    var lossSum = 0.0
    var correct = 0
    var seen = 0
    let batchSize = hyperParameters.batchSize
    var start = 0
    while start < order.count {
      if try !handleCommands() { return nil }
      let end = min(order.count, start + batchSize)
      gather(train, indices: order[start..<end])
      learningRate = schedule.learningRate(at: step, validationHistory: validationHistory)

      let store = model.store
      store.zeroGradients()
      let logits = model.forward(batchFeatures, training: true)
      let result = lossFunction.lossAndGradient(logits: logits, labels: batchLabels)
      guard result.loss.isFinite else {
        try diverge(
          "loss became \(result.loss) at step \(step + 1) (epoch \(epoch), learning rate \(learningRate))")
        return nil
      }
      model.backward(result.gradient)
      let groupNorms = Dictionary(
        uniqueKeysWithValues: model.groupNames.map { ($0, Double(store.gradientNorm(group: $0))) })
      let norm = Double(clipGradientNorm(store, maxNorm: Float(hyperParameters.gradClip)))
      guard norm.isFinite else {
        try diverge("gradient norm became \(norm) at step \(step + 1) (epoch \(epoch))")
        return nil
      }
      optimizer.step(learningRate: Float(learningRate))

      let count = end - start
      step += 1
      samplesSeen += count
      seen += count
      lossSum += result.loss * Double(count)
      correct += result.correct
      publish(
        .step(
          StepMetrics(
            step: step, epoch: epoch, loss: result.loss,
            accuracy: Double(result.correct) / Double(count), learningRate: learningRate,
            gradientNorm: norm, gradientNorms: groupNorms, samplesPerSecond: currentThroughput())))
      start = end
    }
    return (lossSum / Double(max(1, seen)), Double(correct) / Double(max(1, seen)))
  }

  private func gather(_ data: Dataset, indices: ArraySlice<Int>) {
    let width = data.featureCount
    batchFeatures.reshape(rows: indices.count, cols: width)
    batchLabels.removeAll(keepingCapacity: true)
    data.features.storage.withUnsafeBufferPointer { source in
      batchFeatures.storage.withUnsafeMutableBufferPointer { target in
        for (row, index) in indices.enumerated() {
          let from = source.baseAddress! + index * width
          (target.baseAddress! + row * width).update(from: from, count: width)
        }
      }
    }
    for index in indices { batchLabels.append(data.labels[index]) }
  }

  private func currentThroughput() -> Double {
    let now = clock.now
    let elapsed = seconds(now - recentThroughput.time)
    if elapsed >= 1 {
      let rate = Double(samplesSeen - recentThroughput.samples) / elapsed
      recentThroughput = (now, samplesSeen)
      lastThroughput = rate
    } else if lastThroughput == 0, elapsed > 0.05 {
      lastThroughput = Double(samplesSeen - recentThroughput.samples) / elapsed
    }
    return lastThroughput
  }
  private var lastThroughput = 0.0

  /// Evaluates, records and checkpoints an epoch; decides early stopping.
  private func finishEpoch(epoch: Int, trainLoss: Double?, trainAccuracy: Double?) throws {
    let validation = model.evaluate(
      features: prepared.validation.features, labels: prepared.validation.labels, batchSize: 256)
    var trainMetrics = (loss: trainLoss ?? .nan, accuracy: trainAccuracy ?? .nan)
    if trainLoss == nil {
      let measured = model.evaluate(
        features: prepared.train.features, labels: prepared.train.labels, batchSize: 256)
      trainMetrics = (measured.loss, measured.accuracy)
    }
    guard validation.loss.isFinite else {
      try diverge("validation loss became \(validation.loss) after epoch \(epoch)")
      return
    }
    epochsRun = epoch
    validationHistory.append(validation.loss)
    let decision = earlyStopping.observe(valLoss: validation.loss, epoch: epoch)
    let improved = best == nil || validation.loss < best!.validationLoss
    let metrics = EpochMetrics(
      epoch: epoch, step: step, trainLoss: trainMetrics.loss, trainAccuracy: trainMetrics.accuracy,
      validationLoss: validation.loss, validationAccuracy: validation.accuracy, learningRate: learningRate,
      seconds: seconds(clock.now - startTime), isBest: improved)
    if improved { best = metrics }
    try directory?.appendMetrics(metrics)
    if improved { try saveCheckpoint(best: true, epoch: epoch) }
    try saveCheckpoint(best: false, epoch: epoch)
    publish(.epoch(metrics))
    if epoch > 0, case .stop = decision {
      status = .earlyStopped
      reason =
        "validation loss has not improved by more than \(hyperParameters.minDelta) for \(hyperParameters.earlyStoppingPatience) epochs; best was epoch \(best?.epoch ?? 0)"
      try directory?.appendEvent(
        "early_stop", step: step,
        fields: ["epoch": .integer(epoch), "best_epoch": .integer(best?.epoch ?? 0)])
      publish(.message(reason!))
    }
    try writeSummary()
  }

  private func saveCheckpoint(best: Bool, epoch: Int) throws {
    guard let directory else { return }
    try directory.writeCheckpoint(
      model.checkpointTensors(),
      metadata: [
        "format": "tunetop-mlp", "epoch": String(epoch), "step": String(step),
        "frozen": model.groupNames.filter { !model.store.isTrainable(group: $0) }.joined(separator: ","),
      ], best: best)
  }

  // MARK: - Control

  /// Applies pending commands; returns false when the run must end now. Blocks while paused.
  private func handleCommands() throws -> Bool {
    var paused = false
    repeat {
      for command in pollCommands() {
        switch command {
        case .stop, .interrupt:
          status = command == .stop ? .stopped : .interrupted
          try directory?.appendEvent(command == .stop ? "stop" : "interrupt", step: step)
          // `last` holds the weights as they are now, mid-epoch, so nothing trained is lost.
          try saveCheckpoint(best: false, epoch: epochsRun)
          return false
        case .pause:
          if !paused {
            paused = true
            status = .paused
            try directory?.appendEvent("pause", step: step)
            try writeSummary()
            publish(.statusChanged(.paused))
          }
        case .resume:
          if paused {
            paused = false
            status = .running
            try directory?.appendEvent("resume", step: step)
            try writeSummary()
            publish(.statusChanged(.running))
          }
        case .setLearningRate(let value):
          hyperParameters.learningRate = value
          schedule = LearningRateSchedule(hyperParameters, stepsPerEpoch: stepsPerEpoch)
          try recordHotEdit(.learningRate(value), key: "learning_rate", value: .number(value))
        case .setDropout(let value):
          hyperParameters.dropout = value
          model.dropout = Float(value)
          try recordHotEdit(.dropout(value), key: "dropout", value: .number(value))
        case .setWeightDecay(let value):
          hyperParameters.weightDecay = value
          optimizer.weightDecay = Float(value)
          try recordHotEdit(.weightDecay(value), key: "weight_decay", value: .number(value))
        case .setFrozen(let group, let frozen):
          guard model.groupNames.contains(group) else { continue }
          try setFrozen(group, frozen: frozen, bySchedule: false)
        }
      }
      if paused { Thread.sleep(forTimeInterval: 0.01) }
    } while paused
    return true
  }

  private func recordHotEdit(_ edit: HotEdit, key: String, value: RunEventValue) throws {
    try directory?.appendEvent("hot_edit", step: step, fields: ["key": .text(key), "value": value])
    publish(.hotEdit(edit, step: step))
  }

  private func setFrozen(_ group: String, frozen: Bool, bySchedule: Bool) throws {
    let store = model.store
    guard store.isTrainable(group: group) == frozen else { return }
    store.setFrozen(frozen, group: group)
    // A frozen group keeps no optimizer state; unfreezing later starts its moments afresh.
    if frozen { optimizer.resetState(group: group) }
    hyperParameters.frozen = model.groupNames.filter { !store.isTrainable(group: $0) }
    if !bySchedule {
      // The user's choice overrides what gradual unfreezing had planned for this group.
      var plan = unfreezePlan.unfreezeEpoch
      plan[group] = frozen ? .some(nil) : 1
      unfreezePlan = UnfreezePlan(explicit: plan)
    }
    try directory?.appendEvent(
      frozen ? "freeze" : "unfreeze", step: step,
      fields: ["group": .text(group), "by": .text(bySchedule ? "schedule" : "user")])
    publish(.hotEdit(.freeze(group: group, frozen: frozen, bySchedule: bySchedule), step: step))
  }

  private func applyScheduledUnfreezing(epoch: Int) throws {
    for group in unfreezePlan.groupsUnfrozen(atEpoch: epoch) {
      try setFrozen(group, frozen: false, bySchedule: true)
    }
  }

  private func applyLayerLearningRates() {
    let decay = hyperParameters.layerLRDecay
    for (depth, group) in model.groupNames.reversed().enumerated() {
      model.store.learningRateMultipliers[group] = Float(pow(decay, Double(depth)))
    }
  }

  private func diverge(_ why: String) throws {
    status = .diverged
    reason = why + "; `last` holds the last good epoch. Try a lower learning_rate or grad_clip."
    try directory?.appendEvent("diverged", step: step, fields: ["reason": .text(why)])
    publish(.message(reason!))
  }

  // MARK: - End

  private func finish() throws {
    var summary = makeSummary()
    if let directory, FileManager.default.fileExists(atPath: directory.bestCheckpointURL.path) {
      // Score the best checkpoint once on data no choice was made with.
      let current = model.store.values
      let file = try SafeTensors.read(from: directory.bestCheckpointURL)
      try model.load(file, path: directory.bestCheckpointURL.path)
      summary.testAccuracy =
        model.evaluate(features: prepared.test.features, labels: prepared.test.labels, batchSize: 256)
        .accuracy
      model.store.values = current
    } else if directory == nil {
      summary.testAccuracy =
        model.evaluate(features: prepared.test.features, labels: prepared.test.labels, batchSize: 256)
        .accuracy
    }
    testAccuracy = summary.testAccuracy
    try directory?.appendEvent(
      "finish", step: step,
      fields: ["status": .text(status.rawValue), "epochs_run": .integer(epochsRun)])
    try writeSummary()
  }
  private var testAccuracy: Double?

  private func makeSummary() -> RunSummary {
    let wall = seconds(clock.now - startTime)
    return RunSummary(
      status: status, epochsRun: epochsRun, bestEpoch: best?.epoch ?? 0,
      bestValidationLoss: best?.validationLoss ?? .nan,
      bestValidationAccuracy: best?.validationAccuracy ?? .nan, testAccuracy: testAccuracy,
      samplesPerSecond: wall > 0 ? Double(samplesSeen) / wall : 0, wallSeconds: wall, steps: step,
      reason: reason)
  }

  private func writeSummary() throws {
    try directory?.writeSummary(makeSummary())
  }

  private func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
