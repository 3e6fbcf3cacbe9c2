// `tunetop-bench tokenize --model DIR --corpus FILE [--max-len N] [--rounds R]`: single-threaded
// BertTokenizer throughput on a corpus (one text per line), encode only: reading the file and
// splitting lines happen before the clock starts, as for the Hugging Face figure it is compared with
// (Benchmarks/tokenizer/parity.py times `encode_batch` on one thread over the same lines).

import Foundation
import Training

func runTokenize(arguments: [String]) {
  func value(_ name: String) -> String? { optionValue(name, in: arguments) }
  guard let model = value("--model"), let corpus = value("--corpus") else {
    print("usage: tunetop-bench tokenize --model DIR --corpus FILE [--max-len N] [--rounds R]")
    exit(2)
  }
  let maxLength = value("--max-len").flatMap { Int($0) } ?? 512
  let rounds = value("--rounds").flatMap { Int($0) } ?? 5
  let tokenizer: BertTokenizer
  let lines: [String]
  do {
    tokenizer = try BertTokenizer(folder: URL(fileURLWithPath: model))
    let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
    lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
  } catch {
    print("tunetop-bench tokenize: \(error)")
    exit(1)
  }
  let texts = lines.last == "" ? Array(lines.dropLast()) : lines
  let bytes = texts.reduce(0) { $0 + $1.utf8.count }
  var seconds: [Double] = []
  var tokenCount = 0
  var ids: [Int32] = []
  for _ in 0..<rounds {
    tokenCount = 0
    let start = now()
    for text in texts {
      ids.removeAll(keepingCapacity: true)
      tokenizer.encode(text, maxLength: maxLength, appendingTo: &ids)
      tokenCount += ids.count
    }
    seconds.append(Double(now() - start) / 1e9)
  }
  let best = median(seconds)
  print(
    "{\"bench\":\"tokenize\",\"lines\":\(texts.count),\"bytes\":\(bytes),\"tokens\":\(tokenCount),"
      + "\"seconds\":\(best),\"lines_per_second\":\(Double(texts.count) / best),"
      + "\"megabytes_per_second\":\(Double(bytes) / best / 1e6)}")
}
