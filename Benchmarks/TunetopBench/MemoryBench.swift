// `tunetop-bench memory`: a synthetic 1,000,000-step run fed through the dashboard's metrics history
// (RunHistory inside DashboardState, via `reduce`), reporting peak RSS at 10k, 100k and 1M steps and
// the cost of rendering a frame at step 1k against step 1M.
//
// Events are made up but shaped like the trainer's: a StepMetrics per step with per-group gradient
// norms, an EpochMetrics every `steps_per_epoch` steps, a hot edit every 50,000 steps, delivered in
// batches of 100 as the UI loop drains them. Each case runs in a fresh process, so its peak RSS
// (VmHWM) is its own. Two cases: 1,000 steps an epoch (1,000 epochs), and 10 steps an epoch, the
// most epochs a run may have (100,000, the `epochs` cap), since every epoch point is kept by design.

import Dashboard
import Foundation
import Training

func runMemory(arguments: [String]) {
  if let stepsPerEpoch = intOption("--steps-per-epoch", in: arguments) {
    memoryCase(stepsPerEpoch: stepsPerEpoch, totalSteps: 1_000_000)
    return
  }
  for stepsPerEpoch in [1_000, 10] {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    child.arguments = ["memory", "--steps-per-epoch", String(stepsPerEpoch)]
    do {
      try child.run()
      child.waitUntilExit()
    } catch {
      emit(json([("bench", "memory"), ("error", "\(error)")]))
    }
  }
}

/// Peak and current resident set size in KiB, from /proc/self/status (0 where it does not exist).
func residentSetKiB() -> (peak: Int, current: Int) {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
  func field(_ name: String) -> Int {
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else {
      return 0
    }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
  }
  return (field("VmHWM"), field("VmRSS"))
}

/// Median milliseconds to render `state` into a buffer of its size.
func frameMilliseconds(_ state: DashboardState, width: Int, height: Int) -> Double {
  var sized = state
  _ = reduce(&sized, .resize(width: width, height: height))
  var buffer = ScreenBuffer(width: width, height: height)
  render(sized, into: &buffer)
  let samples = (0..<21).map { _ in
    let start = now()
    render(sized, into: &buffer)
    return Double(now() - start) / 1e6
  }
  return median(samples)
}

func memoryCase(stepsPerEpoch: Int, totalSteps: Int) {
  let groups = ["hidden1", "hidden2", "head"]
  let counts = ["hidden1": 8320, "hidden2": 8256, "head": 650]
  var settings = HyperParameters()
  settings.epochs = totalSteps / stepsPerEpoch
  settings.earlyStoppingPatience = 0
  var state = DashboardState(
    settings: settings, width: 200, height: 60,
    model: ModelInfo(
      groups: groups, parameterCounts: counts, trainSamples: stepsPerEpoch * 16, validationSamples: 43))
  _ = reduce(&state, .startStop)
  _ = reduce(
    &state,
    .trainingEvents([
      .started(
        RunStart(
          directory: nil, hyperParameters: settings, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps,
          groups: groups, parameterCounts: counts, frozen: [], trainSamples: stepsPerEpoch * 16,
          validationSamples: 43)),
      .statusChanged(.running),
    ]))
  var rng = SplitMix64(seed: 5)
  var pending: [TrainingEvent] = []
  pending.reserveCapacity(128)
  var reduceNanoseconds: UInt64 = 0
  var stepsSinceReport = 0
  var frameAtFirstCheckpoint: (Double, Double)?
  let checkpoints: Set<Int> = [1_000, 10_000, 100_000, 1_000_000]
  for step in 1...totalSteps {
    let epoch = (step - 1) / stepsPerEpoch + 1
    let progress = Double(step) / Double(totalSteps)
    let noise = Double(rng.nextUnitFloat()) * 0.1
    pending.append(
      .step(
        StepMetrics(
          step: step, epoch: epoch, loss: 2 * (1 - progress) + 0.05 + noise,
          accuracy: min(1, 0.3 + 0.7 * progress - noise), learningRate: 1e-3 * (1 - progress),
          gradientNorm: 1 + noise,
          gradientNorms: ["hidden1": noise, "hidden2": 0.5 + noise, "head": 1 + noise],
          samplesPerSecond: 20_000)))
    if step % stepsPerEpoch == 0 {
      pending.append(
        .epoch(
          EpochMetrics(
            epoch: epoch, step: step, trainLoss: 2 * (1 - progress) + 0.05,
            trainAccuracy: 0.3 + 0.7 * progress,
            validationLoss: 2 * (1 - progress) + 0.1 + noise, validationAccuracy: 0.3 + 0.6 * progress,
            learningRate: 1e-3 * (1 - progress), seconds: Double(step) / 1000, isBest: noise < 0.01,
            gradientNorms: ["hidden1": noise, "hidden2": 0.5, "head": 1])))
    }
    if step % 50_000 == 0 { pending.append(.hotEdit(.learningRate(1e-3 * (1 - progress)), step: step)) }
    if pending.count >= 100 || checkpoints.contains(step) {
      let start = now()
      _ = reduce(&state, .trainingEvents(pending))
      reduceNanoseconds += now() - start
      pending.removeAll(keepingCapacity: true)
    }
    stepsSinceReport += 1
    guard checkpoints.contains(step) else { continue }
    let frames = (
      frameMilliseconds(state, width: 200, height: 60), frameMilliseconds(state, width: 80, height: 24)
    )
    if frameAtFirstCheckpoint == nil { frameAtFirstCheckpoint = frames }
    let memory = residentSetKiB()
    emit(
      json([
        ("bench", "memory"), ("steps_per_epoch", stepsPerEpoch), ("step", step),
        ("epochs_kept", state.run?.epochs.count ?? 0), ("hot_edits_kept", state.run?.hotEdits.count ?? 0),
        ("step_buckets", state.run?.stepLoss.buckets.count ?? 0), ("peak_rss_kib", memory.peak),
        ("rss_kib", memory.current),
        ("reduce_ns_per_step", Double(reduceNanoseconds) / Double(stepsSinceReport)),
        ("frame_ms_200x60", frames.0), ("frame_ms_80x24", frames.1),
        ("frame_ratio_to_step_1k_200x60", frames.0 / frameAtFirstCheckpoint!.0),
      ]))
    reduceNanoseconds = 0
    stepsSinceReport = 0
  }
}
