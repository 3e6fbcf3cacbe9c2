import Testing

@testable import Training

@Test func groupNormsKeepTheModelsOrderInlineAndPastEightGroups() {
  let names = (1...11).map { "hidden\($0)" } + ["head"]
  var norms = GroupNorms(names: names)
  for index in names.indices { norms[index] = Double(index) + 0.5 }
  #expect(norms.count == 12)
  #expect(norms["hidden1"] == 0.5 && norms["hidden9"] == 8.5 && norms["head"] == 11.5)
  #expect(norms["missing"] == nil)
  #expect(norms.map(\.name) == names)
  #expect(norms.map(\.norm) == names.indices.map { Double($0) + 0.5 })

  // A copy is a value: changing it leaves the original alone, inline and past the eighth group.
  var copy = norms
  copy[2] = -1
  copy[10] = -1
  #expect(norms[2] == 2.5 && norms[10] == 10.5)
  #expect(copy != norms)
  copy[2] = 2.5
  copy[10] = 10.5
  #expect(copy == norms)

  let literal: GroupNorms = ["hidden1": 0, "head": 0.8]
  #expect(literal.names == ["hidden1", "head"] && literal["head"] == 0.8)
  #expect(GroupNorms().isEmpty)
}
