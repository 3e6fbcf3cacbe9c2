import Foundation
import Testing

@testable import Training

private let space = SearchSpace.standard(groups: ["hidden1", "hidden2", "head"])

@Test func randomSamplerIsReproducibleFromTheSeedAlone() {
  let sampler = RandomSampler(seed: 7)
  let first = (1...20).map { sampler.sample(trial: $0, space: space, finished: []) }
  // What finished before (which depends on --parallel and timing) does not change a random trial.
  let history = [FinishedTrial(assignment: first[0], objective: 0.5)]
  let again = (1...20).reversed().map { sampler.sample(trial: $0, space: space, finished: history) }
    .reversed()
  #expect(Array(again) == first)
  let other = (1...20).map { RandomSampler(seed: 8).sample(trial: $0, space: space, finished: []) }
  #expect(other != first)
  #expect(Set(first.map { $0[0] }).count == 20)
}

@Test func randomSamplerStaysInsideTheSpace() throws {
  let sampler = RandomSampler(seed: 1)
  for trial in 1...200 {
    let settings = try space.hyperParameters(
      sampler.sample(trial: trial, space: space, finished: []), base: HyperParameters())
    #expect(settings.learningRate >= 1e-4 && settings.learningRate <= 0.1)
    #expect(settings.weightDecay >= 1e-5 && settings.weightDecay <= 0.1)
    #expect(settings.dropout >= 0 && settings.dropout <= 0.5)
    #expect([8, 16, 32].contains(settings.batchSize))
  }
}

/// A history whose objective is the distance in decades from learning_rate 1e-3, plus
/// `batchPenalty` for any batch size but 8.
private func scriptedHistory(batchPenalty: Double = 0) -> [FinishedTrial] {
  let random = RandomSampler(seed: 99)
  return (1...30).map { trial in
    let assignment = random.sample(trial: trial, space: space, finished: [])
    guard case .number(let rate) = assignment[0], case .choice(let batch) = assignment[1] else {
      return FinishedTrial(assignment: assignment, objective: 9)
    }
    let objective = abs(log10(rate) + 3) + (batch == 0 ? 0 : batchPenalty)
    return FinishedTrial(assignment: assignment, objective: objective)
  }
}

@Test func tpeIsReproducibleGivenTheSameHistory() {
  let history = scriptedHistory()
  let sampler = TPESampler(seed: 3)
  let first = (31...40).map { sampler.sample(trial: $0, space: space, finished: history) }
  let second = (31...40).map { sampler.sample(trial: $0, space: space, finished: history) }
  #expect(first == second)
  #expect(first != (31...40).map { TPESampler(seed: 4).sample(trial: $0, space: space, finished: history) })
}

@Test func tpeStartsRandomThenConcentratesWhereTrialsWentWell() {
  let history = scriptedHistory()
  let tpe = TPESampler(seed: 5, startupTrials: 10)
  // Before `startupTrials` have finished it is the random sampler.
  #expect(
    tpe.sample(trial: 3, space: space, finished: Array(history.prefix(5)))
      == RandomSampler(seed: 5).sample(trial: 3, space: space, finished: []))
  let proposals = (31...70).map { tpe.sample(trial: $0, space: space, finished: history) }
  let distances = proposals.compactMap { assignment -> Double? in
    guard case .number(let rate) = assignment[0] else { return nil }
    return abs(log10(rate) + 3)
  }.sorted()
  let randomDistances = (31...70).compactMap { trial -> Double? in
    guard case .number(let rate) = RandomSampler(seed: 5).sample(trial: trial, space: space, finished: [])[0]
    else { return nil }
    return abs(log10(rate) + 3)
  }.sorted()
  // The median distance from the good region in decades is well below a uniform draw's.
  #expect(distances[distances.count / 2] < 0.5 * randomDistances[randomDistances.count / 2])
  let batchHistory = scriptedHistory(batchPenalty: 10)
  let batches = (31...70).map { tpe.sample(trial: $0, space: space, finished: batchHistory)[1] }
  #expect(batches.filter { $0 == .choice(0) }.count > batches.count / 2)
}

@Test func importanceRanksTheParameterThatDrivesTheObjective() {
  let ranking = ParameterImportance.rank(space: space, trials: scriptedHistory())
  #expect(ranking.first?.key == "learning_rate")
  #expect(ranking.allSatisfy { $0.share >= 0 && $0.share <= 1 })
  #expect(ranking.count == 5)
  #expect(ParameterImportance.equalCountBins([3, 1, 2, 2, 5, 4], bins: 2) == [1, 0, 0, 0, 1, 1])
}
