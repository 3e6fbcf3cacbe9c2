import Foundation

/// The training loop of one run, executed on whichever thread calls `run()`.
///
/// It owns the model, optimizer and run directory outright; the outside world reaches it only
/// through `publish` (events out) and `pollCommands` (commands in, read at batch boundaries).
final class TrainingSession {
  private let prepared: PreparedRun
  private var hyperParameters: HyperParameters
  private let model: any FineTunableModel
  private let optimizer: Optimizer
  private var schedule: LearningRateSchedule
  private var earlyStopping: EarlyStopping
  private var unfreezePlan: UnfreezePlan
  private var shuffleRNG: SplitMix64
  private let lossFunction: SoftmaxCrossEntropy
  private let evaluator = ModelEvaluator()
  private let directory: RunDirectory?
  private let publish: (TrainingEvent) -> Void
  private let pollCommands: () -> [TrainerCommand]
  private let hooks: TrialHooks

  private let stepsPerEpoch: Int
  private let clock = ContinuousClock()
  private var startTime: ContinuousClock.Instant
  private var step = 0
  private var epochsRun = 0
  private var samplesSeen = 0
  private var validationHistory: [Double] = []
  /// The monitored value of every evaluation, as `EarlyStopping` saw it.
  private var monitorHistory: [Double] = []
  private var best: EpochMetrics?
  private var status: RunStatus = .running
  private var reason: String?
  /// Set by `.interruptAtEpochEnd`: the run ends once the epoch under way is finished and saved.
  private var epochEndInterrupt: String?
  private var learningRate = 0.0
  /// Shuffled sample order and batch labels: reused every step. The model gathers its own inputs.
  private var order: [Int]
  private var batchLabels: [Int] = []
  /// Per-group gradient norms of the current step, in `store.groups` order; reused every step.
  private var groupNormValues: [Double] = []
  /// Reused from step to step: the event gets a copy that holds the norms inline.
  private var groupNorms = GroupNorms()
  private var recentThroughput: (time: ContinuousClock.Instant, samples: Int, tokens: Int)
  private var lastThroughput = 0.0
  /// Real tokens trained on in this session (text runs), for tokens/s; nil for feature rows.
  private var tokensSeen: Int?
  private var lastTokenThroughput: Double?
  private var progress = EpochProgress()
  private var testAccuracy: Double?
  /// Wall time of earlier sessions of this run, when it was resumed.
  private var earlierWallSeconds = 0.0
  private let resumed: Bool
  /// Names of the classes, for `classes.csv` and the dashboard.
  private let classLabels: ClassLabels
  /// control.jsonl, steps.csv and groups.json (run-directory format 2); nil without a directory.
  private var liveFiles: LiveRunFiles?

  init(
    prepared: PreparedRun, directory: RunDirectory?, resumeFrom state: TrainingState? = nil,
    hooks: TrialHooks = TrialHooks(), publish: @escaping (TrainingEvent) -> Void,
    pollCommands: @escaping () -> [TrainerCommand]
  ) throws {
    self.prepared = prepared
    hyperParameters = prepared.hyperParameters
    model = prepared.model
    self.directory = directory
    self.publish = publish
    self.pollCommands = pollCommands
    self.hooks = hooks
    let hp = prepared.hyperParameters
    // The schedule counts optimizer steps: one per `grad_accum_steps` batches.
    stepsPerEpoch = hp.stepsPerEpoch(trainSamples: prepared.train.count)
    optimizer = Optimizer(
      kind: hp.optimizer, momentum: Float(hp.momentum), weightDecay: Float(hp.weightDecay),
      store: prepared.model.store)
    schedule = LearningRateSchedule(hp, stepsPerEpoch: stepsPerEpoch)
    earlyStopping = EarlyStopping(patience: hp.earlyStoppingPatience, minDelta: hp.minDelta)
    // A table's class names when it has them; the head's width decides how many there are.
    if let names = prepared.classNames, names.count == prepared.model.classes {
      classLabels = names
    } else {
      classLabels = ClassLabels.numbered(prepared.model.classes)
    }
    unfreezePlan = UnfreezePlan(
      groups: prepared.model.groupNames, frozen: hp.frozen, every: hp.unfreezeEvery)
    shuffleRNG = SplitMix64.sampleOrder(seed: hp.seed)
    order = Array(0..<prepared.train.count)
    lossFunction = SoftmaxCrossEntropy(labelSmoothing: Float(hp.labelSmoothing))
    lossFunction.classWeights = prepared.classWeights
    startTime = clock.now
    recentThroughput = (startTime, 0, 0)
    resumed = state != nil
    model.applyLayerLearningRateDecay(hyperParameters.layerLRDecay)
    if let state { try restore(state) }
  }

  /// Puts the run back where `state` left it; the weights are already in the model.
  private func restore(_ state: TrainingState) throws {
    guard state.order.count == order.count, Set(state.order) == Set(order) else {
      throw CheckpointMismatchError(
        path: "last.state.safetensors",
        message: "the saved sample order covers \(state.order.count) samples, the data has \(order.count)")
    }
    hyperParameters = state.liveSettings
    schedule = LearningRateSchedule(hyperParameters, stepsPerEpoch: stepsPerEpoch)
    model.dropout = Float(hyperParameters.dropout)
    optimizer.weightDecay = Float(hyperParameters.weightDecay)
    for group in model.groupNames {
      model.store.setFrozen(state.frozen.contains(group), group: group)
    }
    try optimizer.restoreState(state.optimizerState)
    model.dropoutRNGStates = state.dropoutRNGs
    shuffleRNG = SplitMix64(seed: state.shuffleRNG)
    order = state.order
    progress = state.progress
    step = state.step
    epochsRun = state.epochsRun
    samplesSeen = state.samplesSeen
    earlierWallSeconds = state.wallSeconds
    validationHistory = state.validationHistory
    unfreezePlan = UnfreezePlan(explicit: state.unfreezePlan)
    monitorHistory = state.monitorHistory ?? validationHistory
    for (epoch, score) in monitorHistory.enumerated() {
      _ = earlyStopping.observe(score: score, epoch: epoch)
    }
    best = state.best
  }

  /// The state that, with `last.safetensors`, lets this run continue bit for bit.
  private var trainingState: TrainingState {
    TrainingState(
      step: step, epochsRun: epochsRun, samplesSeen: samplesSeen, wallSeconds: wallSeconds,
      shuffleRNG: shuffleRNG.state, dropoutRNGs: model.dropoutRNGStates, order: order, progress: progress,
      validationHistory: validationHistory, monitorHistory: monitorHistory, best: best,
      unfreezePlan: unfreezePlan.unfreezeEpoch,
      frozen: model.groupNames.filter { !model.store.isTrainable(group: $0) }, liveSettings: hyperParameters,
      optimizerState: optimizer.stateTensors())
  }

  /// Trains until the epochs run out, early stopping fires, the loss diverges or a command stops it.
  func run() -> RunSummary {
    startTime = clock.now
    recentThroughput = (startTime, samplesSeen, tokensSeen ?? 0)
    let store = model.store
    if !resumed {
      for group in unfreezePlan.frozenGroups(atEpoch: 1) { store.setFrozen(true, group: group) }
    }
    publish(
      .started(
        RunStart(
          directory: directory?.url.path, hyperParameters: hyperParameters, stepsPerEpoch: stepsPerEpoch,
          totalSteps: stepsPerEpoch * hyperParameters.epochs, groups: model.groupNames,
          parameterCounts: Dictionary(
            uniqueKeysWithValues: model.groupNames.map { ($0, store.parameterCount(group: $0)) }),
          frozen: model.groupNames.filter { !store.isTrainable(group: $0) },
          trainSamples: prepared.train.count, validationSamples: prepared.validation.count,
          classLabels: classLabels, modelKind: model.kind)))
    publish(.statusChanged(.running))
    do {
      if let directory {
        liveFiles = try LiveRunFiles(directory: directory, names: model.groupNames, store: store, step: step)
      }
      if resumed {
        try directory?.appendEvent(
          "resume_run", step: step, fields: ["epochs_run": .integer(epochsRun)])
        try writeSummary()
      } else {
        try directory?.writeConfig(hyperParameters)
        try directory?.appendEvent(
          "start", step: 0,
          fields: [
            "train_samples": .integer(prepared.train.count),
            "base_model": .text(prepared.baseDescription),
          ])
        try writeSummary()
        // Epoch 0 measures the starting model, so the curves begin where fine-tuning begins.
        learningRate = schedule.learningRate(at: 0)
        try finishEpoch(epoch: 0, totals: nil)
      }
      var epoch = epochsRun + 1
      trainLoop: while epoch <= hyperParameters.epochs && status == .running {
        // A resumed epoch already went through this; unfreezing twice would log it twice.
        if progress.epoch != epoch { try applyScheduledUnfreezing(epoch: epoch) }
        guard let totals = try trainEpoch(epoch: epoch) else { break trainLoop }
        try finishEpoch(epoch: epoch, totals: totals)
        if let why = epochEndInterrupt, status == .running, epoch < hyperParameters.epochs {
          try interrupt(why + "; stopped after epoch \(epoch), which is saved in `last`")
          break trainLoop
        }
        epoch += 1
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
    // The last step's row, and answers to commands that arrived after the last step boundary.
    try? liveFiles?.finish(step: step, status: status)
    publish(.statusChanged(status))
    let summary = makeSummary()
    publish(.finished(summary))
    return summary
  }

  // MARK: - One epoch

  /// Trains one epoch (or the rest of one, when resumed) and returns its totals, or nil if the run
  /// ended inside it. `progress` tracks the position so a stop can save it.
  private func trainEpoch(epoch: Int) throws -> EpochProgress? {
    if progress.epoch != epoch {
      progress = EpochProgress(epoch: epoch)
      shuffleRNG.shuffle(&order)
    }
    let train = prepared.train
    let batchSize = hyperParameters.batchSize
    let samplesPerStep = hyperParameters.samplesPerStep
    // Commands are read between optimizer steps only, so a stop never splits an accumulation
    // and `progress` (what a resume continues from) always sits at a step boundary.
    while progress.nextIndex < order.count {
      if try !handleCommands() { return nil }
      let stepStart = progress.nextIndex
      let stepEnd = min(order.count, stepStart + samplesPerStep)
      let count = stepEnd - stepStart
      learningRate = schedule.learningRate(at: step, validationHistory: validationHistory)

      let store = model.store
      store.zeroGradients()
      // Each batch's gradient is weighted by its share of the step's samples, so k accumulated
      // batches give the gradient of one batch k times larger (a short last batch included).
      var lossSum = 0.0
      var correct = 0
      var batchLoss = 0.0
      var start = stepStart
      while start < stepEnd {
        let end = min(stepEnd, start + batchSize)
        let batch = order[start..<end]
        train.gatherLabels(batch, into: &batchLabels)
        if let tokens = train.tokenCount(at: batch) { tokensSeen = (tokensSeen ?? 0) + tokens }
        let logits = model.forward(train, indices: batch, training: true)
        let result = lossFunction.lossAndGradient(
          logits: logits, labels: batchLabels, gradientScale: Double(end - start) / Double(count))
        guard result.loss.isFinite else {
          try diverge(
            "loss became \(result.loss) at step \(step + 1) (epoch \(epoch), learning rate \(learningRate))")
          return nil
        }
        model.backward(result.gradient)
        batchLoss = result.loss
        lossSum += result.loss * Double(end - start)
        correct += result.correct
        start = end
      }
      let stepLoss = count <= batchSize ? batchLoss : lossSum / Double(count)
      // One pass over the gradients measures every group's norm and the trainable (clipping) norm.
      let measured = store.gradientNorms(into: &groupNormValues)
      if groupNorms.names != store.groups { groupNorms = GroupNorms(names: store.groups) }
      for index in groupNormValues.indices { groupNorms[index] = groupNormValues[index] }
      let norm = Double(
        clipGradientNorm(store, maxNorm: Float(hyperParameters.gradClip), measuredNorm: measured.trainable))
      guard norm.isFinite else {
        try diverge("gradient norm became \(norm) at step \(step + 1) (epoch \(epoch))")
        return nil
      }
      optimizer.step(learningRate: Float(learningRate))

      for (group, norm) in groupNorms { progress.gradientNormSums[group, default: 0] += norm }
      progress.steps += 1
      progress.seen += count
      progress.lossSum += lossSum
      progress.correct += correct
      progress.nextIndex = stepEnd
      step += 1
      samplesSeen += count
      let metrics = StepMetrics(
        step: step, epoch: epoch, loss: stepLoss,
        accuracy: Double(correct) / Double(count), learningRate: learningRate,
        gradientNorm: norm, gradientNorms: groupNorms, samplesPerSecond: currentThroughput(),
        tokensPerSecond: lastTokenThroughput)
      publish(.step(metrics))
      try liveFiles?.recordStep(metrics, correct: correct, count: count)
      if isMidEpochEvaluationDue {
        try evaluateMidEpoch(epoch: epoch)
        if status != .running { return nil }
      }
    }
    let totals = progress
    progress = EpochProgress()
    return totals
  }

  private func currentThroughput() -> Double {
    let now = clock.now
    let elapsed = seconds(now - recentThroughput.time)
    let tokens = tokensSeen ?? 0
    if elapsed >= 1 {
      let rate = Double(samplesSeen - recentThroughput.samples) / elapsed
      if tokensSeen != nil { lastTokenThroughput = Double(tokens - recentThroughput.tokens) / elapsed }
      recentThroughput = (now, samplesSeen, tokens)
      lastThroughput = rate
    } else if lastThroughput == 0, elapsed > 0.05 {
      lastThroughput = Double(samplesSeen - recentThroughput.samples) / elapsed
      if tokensSeen != nil { lastTokenThroughput = Double(tokens - recentThroughput.tokens) / elapsed }
    }
    return lastThroughput
  }

  /// With `eval_every_steps` N, every N-th optimizer step of the run (counted over the whole run, so
  /// the cadence goes on across epoch ends) is also an evaluation, unless it ends the epoch, whose
  /// own evaluation it then is.
  private var isMidEpochEvaluationDue: Bool {
    let every = hyperParameters.evalEverySteps
    return every > 0 && step % every == 0 && progress.nextIndex < order.count
  }

  /// Evaluates in the middle of `epoch`: the train metrics are those of the steps since the
  /// previous evaluation, which the window in `progress` then starts over from. An early stop here
  /// ends the run at this step, with `last` saved.
  private func evaluateMidEpoch(epoch: Int) throws {
    let window = progress
    progress.lossSum = 0
    progress.correct = 0
    progress.seen = 0
    progress.steps = 0
    progress.gradientNormSums = [:]
    // Every step but an epoch's last consumes `samplesPerStep` samples of the order.
    let position = EpochPosition.of(
      epoch: epoch, stepInEpoch: progress.nextIndex / hyperParameters.samplesPerStep,
      stepsPerEpoch: stepsPerEpoch)
    try recordEvaluation(epoch: epoch, window: window, midEpoch: position)
    if status == .earlyStopped { try saveCheckpoint(best: false, epoch: epochsRun) }
  }

  /// Evaluates, records and checkpoints an epoch; decides early stopping.
  /// Training samples scored (evenly spaced) for epoch 0's train loss and accuracy.
  static let startingTrainSampleLimit = 1_000

  private func finishEpoch(epoch: Int, totals: EpochProgress?) throws {
    try recordEvaluation(epoch: epoch, window: totals, midEpoch: nil)
  }

  /// One evaluation, at the end of `epoch` (`midEpoch` nil) or in the middle of it: validates,
  /// appends `metrics.csv` and `classes.csv`, keeps `best` on an improvement of the monitor, feeds
  /// early stopping (patience counts evaluations) and tells the UI. `window` holds the train steps
  /// since the previous evaluation; nil for epoch 0, whose train metrics are measured.
  private func recordEvaluation(epoch: Int, window totals: EpochProgress?, midEpoch: Double?) throws {
    var confusion: ConfusionMatrix? = ConfusionMatrix(classes: classLabels.count)
    let validation = evaluator.evaluate(
      model, on: prepared.validation, batchSize: model.evaluationBatchSize, confusion: &confusion)
    var trainMetrics = (loss: Double.nan, accuracy: Double.nan)
    var gradientNorms: [String: Double] = [:]
    if let totals {
      let seen = Double(max(1, totals.seen))
      trainMetrics = (totals.lossSum / seen, Double(totals.correct) / seen)
      gradientNorms = totals.gradientNormSums.mapValues { $0 / Double(max(1, totals.steps)) }
    } else {
      // An estimate is enough for the curves' starting point, and a transformer scoring every
      // training text before its first step would keep the user waiting minutes.
      var noConfusion: ConfusionMatrix?
      let measured = evaluator.evaluate(
        model, on: prepared.train, batchSize: model.evaluationBatchSize,
        sampleLimit: Self.startingTrainSampleLimit, confusion: &noConfusion)
      trainMetrics = (measured.loss, measured.accuracy)
    }
    guard validation.loss.isFinite else {
      let when =
        midEpoch.map { "at step \(step) (epoch \(EpochPosition.text($0)))" } ?? "after epoch \(epoch)"
      try diverge("validation loss became \(validation.loss) \(when)")
      return
    }
    if midEpoch == nil {
      epochsRun = epoch
      // The plateau schedule counts epochs, as its preview draws them: it sees epoch ends only.
      validationHistory.append(validation.loss)
    }
    var metrics = EpochMetrics(
      epoch: epoch, step: step, trainLoss: trainMetrics.loss, trainAccuracy: trainMetrics.accuracy,
      validationLoss: validation.loss, validationAccuracy: validation.accuracy, learningRate: learningRate,
      seconds: wallSeconds, isBest: false, gradientNorms: gradientNorms,
      classes: confusion.map(ClassMetrics.init), midEpoch: midEpoch)
    let monitor = hyperParameters.monitor
    let score = monitor.score(of: metrics)
    monitorHistory.append(score)
    let decision = earlyStopping.observe(score: score, epoch: epoch)
    let improved = monitor.isBetter(metrics, than: best)
    metrics.isBest = improved
    if improved { best = metrics }
    try directory?.appendMetrics(metrics)
    if let classes = metrics.classes {
      try directory?.appendClassMetrics(epochText: metrics.epochText, metrics: classes, labels: classLabels)
    }
    if improved { try saveCheckpoint(best: true, epoch: epoch, position: metrics.epochText) }
    // `last` (with the training state) is saved at epoch ends; mid-epoch evaluations save only an
    // improved `best`, since a transformer's `last` with its optimizer moments is three times its weights.
    if midEpoch == nil { try saveCheckpoint(best: false, epoch: epoch) }
    publish(.epoch(metrics))
    if epoch > 0, case .stop = decision {
      status = .earlyStopped
      let unit = hyperParameters.evalEverySteps > 0 ? "evaluations" : "epochs"
      let bestText = best.map { "\($0.epochText) (step \($0.step))" } ?? "0"
      reason =
        "\(monitor.phrase) has not improved by more than \(hyperParameters.minDelta) for \(hyperParameters.earlyStoppingPatience) \(unit); best was epoch \(bestText)"
      var fields: [String: RunEventValue] = [
        "epoch": .integer(epoch), "best_epoch": .integer(best?.epoch ?? 0),
        "best_step": .integer(best?.step ?? 0),
      ]
      if let midEpoch { fields["position"] = .number(midEpoch) }
      try directory?.appendEvent("early_stop", step: step, fields: fields)
      publish(.message(reason!))
    }
    // A search's pruner compares trials epoch by epoch.
    if epoch > 0, midEpoch == nil, let verdict = hooks.reviewEpoch?(metrics), status == .running {
      try prune(verdict, epoch: epoch)
    }
    try writeSummary()
  }

  private func prune(_ why: String, epoch: Int) throws {
    status = .pruned
    reason = why
    try directory?.appendEvent(
      "pruned", step: step, fields: ["epoch": .integer(epoch), "reason": .text(why)])
    publish(.message("pruned after epoch \(epoch): \(why)"))
  }

  /// `position` is the checkpoint's `epoch` metadata when it differs from `epoch` (`2.5`, mid-epoch).
  private func saveCheckpoint(best: Bool, epoch: Int, position: String? = nil) throws {
    guard let directory else { return }
    if !best {
      // The state goes first: a kill between the two writes leaves a newer state than weights,
      // which resume detects by their step numbers.
      let state = trainingState
      try directory.writeTrainingState(state.tensors, metadata: state.metadata)
    }
    try directory.writeCheckpoint(
      model.checkpointTensors(),
      metadata: [
        "format": model.checkpointFormat, "epoch": position ?? String(epoch), "step": String(step),
        "frozen": model.groupNames.filter { !model.store.isTrainable(group: $0) }.joined(separator: ","),
      ].merging(prepared.checkpointMetadata) { kept, _ in kept }, best: best)
  }

  // MARK: - Control

  /// Applies pending commands; returns false when the run must end now. Blocks while paused.
  private func handleCommands() throws -> Bool {
    var paused = false
    repeat {
      var commands = pollCommands()
      try liveFiles?.control.poll(step: step, into: &commands)
      for command in commands {
        switch command {
        case .stop, .interrupt:
          status = command == .stop ? .stopped : .interrupted
          try directory?.appendEvent(command == .stop ? "stop" : "interrupt", step: step)
          // `last` holds the weights as they are now, mid-epoch, so nothing trained is lost.
          try saveCheckpoint(best: false, epoch: epochsRun)
          return false
        case .prune(let why):
          status = .pruned
          reason = why
          try directory?.appendEvent(
            "pruned", step: step, fields: ["epoch": .integer(epochsRun), "reason": .text(why)])
          publish(.message("pruned after epoch \(epochsRun): \(why)"))
          try saveCheckpoint(best: false, epoch: epochsRun)
          return false
        case .interruptAtEpochEnd(let why):
          guard paused else {
            epochEndInterrupt = why
            continue
          }
          try interrupt(why + "; stopped while paused at step \(step), which is saved in `last`")
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
    try liveFiles?.groupsChanged(step: step)
    publish(.hotEdit(.freeze(group: group, frozen: frozen, bySchedule: bySchedule), step: step))
  }

  private func applyScheduledUnfreezing(epoch: Int) throws {
    for group in unfreezePlan.groupsUnfrozen(atEpoch: epoch) {
      try setFrozen(group, frozen: false, bySchedule: true)
    }
  }

  private func interrupt(_ why: String) throws {
    status = .interrupted
    reason = why
    try directory?.appendEvent("interrupt", step: step, fields: ["reason": .text(why)])
    publish(.message(why))
  }

  private func diverge(_ why: String) throws {
    status = .diverged
    reason = why + "; `last` holds the last good epoch. Try a lower learning_rate or grad_clip."
    try directory?.appendEvent("diverged", step: step, fields: ["reason": .text(why)])
    publish(.message(reason!))
  }

  // MARK: - End

  private func finish() throws {
    // A signal or a search's scheduler wants the process gone now; a transformer's test pass can
    // take minutes. The run is resumable, and its resumed end scores the test split then.
    let scoresTest = status != .interrupted && status != .pruned
    if scoresTest, let directory, FileManager.default.fileExists(atPath: directory.bestCheckpointURL.path) {
      // Score the best checkpoint once on data no choice was made with.
      let current = model.store.values
      let file = try SafeTensors.read(from: directory.bestCheckpointURL)
      try model.load(file, path: directory.bestCheckpointURL.path)
      testAccuracy = evaluate(prepared.test).accuracy
      model.store.values = current
    } else if scoresTest, directory == nil {
      testAccuracy = evaluate(prepared.test).accuracy
    }
    try directory?.appendEvent(
      "finish", step: step,
      fields: ["status": .text(status.rawValue), "epochs_run": .integer(epochsRun)])
    try writeSummary()
    try directory?.syncToDisk()
  }

  /// Loss and accuracy on `data` in evaluation mode (no dropout).
  private func evaluate(_ data: any LabeledSamples) -> (loss: Double, accuracy: Double) {
    evaluator.evaluate(model, on: data, batchSize: model.evaluationBatchSize)
  }

  /// Wall time of the whole run, earlier sessions included.
  private var wallSeconds: Double { earlierWallSeconds + seconds(clock.now - startTime) }

  private func makeSummary() -> RunSummary {
    let wall = wallSeconds
    var summary = RunSummary(
      status: status, epochsRun: epochsRun, bestEpoch: best?.epoch ?? 0,
      bestValidationLoss: best?.validationLoss ?? .nan,
      bestValidationAccuracy: best?.validationAccuracy ?? .nan, testAccuracy: testAccuracy,
      samplesPerSecond: wall > 0 ? Double(samplesSeen) / wall : 0, wallSeconds: wall, steps: step,
      reason: reason, writer: .current, search: hooks.search, trial: hooks.trial,
      parent: directory?.parent, monitor: hyperParameters.monitor,
      bestClasses: best?.classes.map { BestClassMetrics($0, labels: classLabels) })
    summary.data = prepared.tableReport
    summary.bestStep = best?.step
    summary.node = hooks.node
    return summary
  }

  private func writeSummary() throws {
    try directory?.writeSummary(makeSummary())
  }

  private func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}
