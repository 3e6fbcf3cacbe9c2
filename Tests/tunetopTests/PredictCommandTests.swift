import Foundation
import Testing

@testable import Training

/// Two well-separated classes by name, with an `id` column, written as pandas would.
private func fruitTable(rows: Int) -> String {
  var lines = ["id,weight,sugar,label"]
  for row in 0..<rows {
    let apple = row % 2 == 0
    lines.append(
      "f\(row),\(apple ? 150 + row % 20 : 900 + row % 50),\(apple ? 0.1 : 0.3),\(apple ? "apple" : "melon")")
  }
  return lines.joined(separator: "\n") + "\n"
}

@Test func predictWritesClassNamesAndProbabilitiesAndStrictRefusesBadRows() throws {
  let scratch = Scratch()
  try fruitTable(rows: 60).write(
    to: scratch.url.appendingPathComponent("fruit.csv"), atomically: true, encoding: .utf8)
  let train = try CLI.run(
    [
      "train", "--runs", "runs", "--name", "fruit", "--set", "task=fruit.csv", "--set", "base_model=none",
      "--set", "epochs=30", "--set", "hidden_sizes=8", "--set", "learning_rate=0.01",
    ], in: scratch.url)
  #expect(train.status == 0, "\(train.error)")
  #expect(train.output.contains("classes (train/validation/test rows): apple"))

  let input = "id,weight,sugar\nnew1,155,0.1\nnew2,oops,0.3\n\"n,3\",880,0.3\n"
  try input.write(to: scratch.url.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
  let predicted = try CLI.run(["predict", "--run", "fruit", "--input", "new.csv"], in: scratch.url)
  #expect(predicted.status == 0, "\(predicted.error)")
  let lines = predicted.output.split(separator: "\n").map(String.init)
  #expect(lines.first == "id,predicted,p_apple,p_melon")
  #expect(lines.count == 4)
  #expect(lines[1].hasPrefix("new1,apple,"))
  #expect(lines[2] == "new2,,,")
  #expect(lines[3].hasPrefix("\"n,3\",melon,"))
  #expect(predicted.error.contains("new.csv:3: column 2 (\"weight\") is \"oops\", which is not a number"))

  let strict = try CLI.run(
    ["predict", "--run", "fruit", "--input", "new.csv", "--strict", "--out", "p.csv"], in: scratch.url)
  #expect(strict.status == 2)
  #expect(strict.error.contains("1 rows cannot be read (lines 3)"))
  #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("p.csv").path))

  let missing = try CLI.run(["predict", "--run", "fruit", "--input", "none.csv"], in: scratch.url)
  #expect(missing.status == 2)
  #expect(missing.error.contains("none.csv"))
}
