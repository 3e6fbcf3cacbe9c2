import ArgumentParser
import Foundation
import Training

/// `tunetop lr-find`: fastai's LR range test on the configured model, headless.
struct LRFindCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lr-find",
    abstract: "Suggest a learning rate with an LR range test (the model is left unchanged).",
    discussion: """
      Trains from the base model and freeze state of the config while the learning rate rises exponentially from --start-lr to --end-lr, stops once the smoothed loss exceeds 4× its minimum, and suggests a rate by fastai's valley rule. Writes the curve (lr, loss, smoothed_loss) as CSV.
      """)

  @OptionGroup var options: RunOptions

  @Option(name: .long, help: ArgumentHelp("Where to write the curve as CSV.", valueName: "file"))
  var out: String = "lr-find.csv"

  @Option(name: .long, help: "Steps of the test (the rate reaches --end-lr at the last one).")
  var steps: Int = 100

  @Option(name: .customLong("start-lr"), help: "Learning rate of the first step.")
  var startLearningRate: Double = 1e-7

  @Option(name: .customLong("end-lr"), help: "Learning rate the test rises towards.")
  var endLearningRate: Double = 10

  func run() throws {
    let test = LRRangeTest(
      startLearningRate: startLearningRate, endLearningRate: endLearningRate, steps: steps)
    let prepared = try failOnBadInput { () throws -> sending PreparedRun in
      try test.validate()
      return try PreparedRun.prepare(options.hyperParameters())
    }
    let settings = prepared.hyperParameters
    let frozen = settings.frozen.isEmpty ? "none" : settings.frozen.joined(separator: ",")
    print(
      "LR range test: \(prepared.train.count) samples, batch \(settings.batchSize), \(settings.optimizer.rawValue), frozen: \(frozen), lr \(startLearningRate) → \(endLearningRate) over \(steps) steps"
    )
    let result = test.run(prepared)
    try failOnBadInput { try AtomicFile.write(Data(result.csv().utf8), to: URL(fileURLWithPath: out)) }
    let last = result.points.last
    let ending =
      result.stoppedEarly
      ? "stopped at step \(result.points.count) (lr \(format(last?.learningRate ?? 0))): smoothed loss passed 4× its minimum"
      : "ran all \(result.points.count) steps"
    print(ending)
    // The first steps' average rests on a handful of batches, so they are left out as the valley rule does.
    let considered = ValleyRule.consideredRange(recorded: result.points.count, plannedSteps: steps)
    if let minimum = result.points[considered].min(by: { $0.smoothedLoss < $1.smoothedLoss }) {
      print(
        "lowest smoothed loss \(String(format: "%.4f", minimum.smoothedLoss)) at lr \(format(minimum.learningRate))"
      )
    }
    print("curve: \(out)")
    if let suggestion = result.suggestedLearningRate {
      print(
        "suggested learning_rate: \(format(suggestion))  (valley rule; try --set learning_rate=\(format(suggestion)))"
      )
    } else {
      print("no suggestion: the loss diverged before a valley could be seen; lower --start-lr or --end-lr")
      throw ExitCode(1)
    }
  }

  private func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
