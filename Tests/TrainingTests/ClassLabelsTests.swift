import Testing

@testable import Training

struct ClassLabelsTests {
  @Test func integerLabelsKeepTheirValueAsIndex() {
    let labels = ClassLabels.infer(from: ["3", "0", "1.0", "3"])
    #expect(labels.names == ["0", "1", "2", "3"])
    #expect(labels.index(of: "3") == 3)
    #expect(labels.index(of: "1.0") == 1)
    #expect(labels.index(of: "4") == nil)
  }

  @Test func namesAreIndexedInSortedOrder() {
    let labels = ClassLabels.infer(from: ["versicolor", "setosa", "virginica", "setosa"])
    #expect(labels.names == ["setosa", "versicolor", "virginica"])
    #expect(labels.index(of: "virginica") == 2)
    #expect(labels.index(of: "rose") == nil)
  }

  @Test func aMixOfNumbersAndNamesIsNames() {
    let labels = ClassLabels.infer(from: ["10", "2", "cat", "-1"])
    #expect(labels.names == ["-1", "10", "2", "cat"])
    #expect(labels.index(of: "2") == 2)
  }

  @Test func hugeIntegerLabelsAreNamesNotAMillionClasses() {
    // Found by the table fuzzer: numbering up to this label would allocate ~10^15 names.
    let labels = ClassLabels.infer(from: ["999999999999999", "3"])
    #expect(labels.names == ["3", "999999999999999"])
    #expect(labels.index(of: "999999999999999") == 1)
    #expect(ClassLabels.infer(from: ["9999"]).count == 10_000)
  }
}
