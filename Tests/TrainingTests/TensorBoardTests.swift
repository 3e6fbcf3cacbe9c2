import Foundation
import Testing

@testable import Training

@Test func crc32cMatchesPublishedVectors() {
  // RFC 3720 appendix B.4 and the usual check value.
  #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
  #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
  #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
  #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
  // tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c(b"123456789").
  #expect(CRC32C.masked(Array("123456789".utf8)) == 0xC78A_B0E5)
}

@Test func recordFramingMatchesTensorBoardsWriter() {
  var records = TFRecordWriter()
  records.append(Array("hello".utf8))
  // tensorboard.summary.writer.record_writer.RecordWriter(b).write(b"hello") wrote these bytes.
  let expected = "0500000000000000eab2043e68656c6c6fbb1f1c19"
  #expect(records.data.map { String(format: "%02x", $0) }.joined() == expected)
}

@Test func protobufFieldsUseTheWireFormat() {
  var writer = ProtobufWriter()
  writer.integer(2, 300)  // key 0x10, varint 300 = ac 02
  writer.integer(1, -1)  // ten-byte varint
  writer.string(1, "hi")
  writer.float(2, 1)
  writer.double(1, -2)
  writer.message(9) { _ in }
  #expect(
    writer.bytes == [
      0x10, 0xAC, 0x02, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x0A, 0x02, 0x68,
      0x69, 0x15, 0x00, 0x00, 0x80, 0x3F, 0x09, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0x4A, 0x00,
    ])
}

/// Splits an event file into its records, checking both checksums of each.
private func records(_ data: Data) -> [[UInt8]]? {
  let bytes = [UInt8](data)
  var records: [[UInt8]] = []
  var offset = 0
  func word(_ at: Int, _ count: Int) -> UInt64 {
    (0..<count).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
  }
  while offset < bytes.count {
    guard offset + 12 <= bytes.count else { return nil }
    let length = Int(word(offset, 8))
    guard UInt32(word(offset + 8, 4)) == CRC32C.masked(bytes[offset..<(offset + 8)]),
      offset + 16 + length <= bytes.count
    else { return nil }
    let record = Array(bytes[(offset + 12)..<(offset + 12 + length)])
    guard UInt32(word(offset + 12 + length, 4)) == CRC32C.masked(record) else { return nil }
    records.append(record)
    offset += 16 + length
  }
  return records
}

private func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
  let pattern = Array(needle.utf8)
  guard haystack.count >= pattern.count else { return false }
  return (0...(haystack.count - pattern.count)).contains {
    Array(haystack[$0..<($0 + pattern.count)]) == pattern
  }
}

@Test func exportWritesEveryFileOfARunAsRecords() throws {
  let scratch = ScratchDirectory()
  let run = scratch.url.appendingPathComponent("runs/20261130-040000-fixture")
  try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
  func put(_ name: String, _ text: String) throws {
    try Data(text.utf8).write(to: run.appendingPathComponent(name))
  }
  try put(
    "metrics.csv",
    RunDirectory.metricsHeader
      + "\n0,0,2.3,0.1,2.2,0.12,0,0.1\n1,4,1.5,0.5,1.6,0.45,0.001,1.1\n2,8,1.1,0.6,1.4,0.5,0.0005,2.1\n3,12")
  try put(
    "steps.csv",
    "step,epoch,loss,accuracy,learning_rate,grad_norm,grad_norm/hidden1,grad_norm/head\n"
      + "1,1,2.1,0.2,0.001,3.5,,2.0\n4,1,1.7,0.4,0.001,2.5,1.5,1.0\n8,2,1.2,0.6,0.0005,2.0,1.2,0.9\n")
  try put(
    "events.jsonl",
    #"{"event":"start","step":0,"time":"2026-11-30T04:00:00Z"}"# + "\n"
      + #"{"event":"hot_edit","key":"learning_rate","step":5,"time":"2026-11-30T04:00:01Z","value":0.0005}"#
      + "\n" + #"{"event":"freeze","group":"hidden1","by":"user","step":6,"time":"2026-11-30T04:00:01Z"}"#
      + "\n")
  try put("config.yaml", "learning_rate: 0.001\nfrozen: [hidden1]\nreset_head: false\noptimizer: adamw\n")
  let directory = try RunDirectory(existing: run)
  try directory.appendClassMetrics(
    epoch: 1, metrics: ClassMetrics(confusion: ConfusionMatrix(rows: [[2, 1], [0, 3]])),
    labels: ClassLabels(names: ["no", "yes"]))

  let out = scratch.url.appendingPathComponent("tb")
  let record = RunCatalog.record(at: run)
  let folders = try TensorBoardExport.export([record], to: out)
  #expect(folders.map(\.lastPathComponent) == ["20261130-040000-fixture"])
  let file = try Data(contentsOf: folders[0].appendingPathComponent(TensorBoardExport.eventFileName))
  let events = try #require(records(file))
  #expect(contains(events[0], "brain.Event:2"))
  // 3 rows × 4 metrics (the torn 4th row is skipped; lr comes from steps.csv), 3 step rows × 6
  // columns less the frozen group's empty cell, 1 epoch × (macro-F1 + 3 × 2 classes), 2 hot edits,
  // the session's start and end, the version record.
  #expect(events.count == 1 + 12 + 17 + 7 + 2 + 2)
  for tag in [
    "train/loss", "val/accuracy", "lr", "grad_norm/hidden1", "grad_norm/head", "train/step_loss",
    "val/macro_f1", "val_f1/yes", "val_recall/no", "hot_edits", "learning_rate = 0.0005",
    "freeze hidden1 (user)", "_hparams_/session_start_info", "_hparams_/session_end_info",
  ] {
    #expect(events.contains { contains($0, tag) }, "no record holds \(tag)")
  }
  let top = try #require(
    records(try Data(contentsOf: out.appendingPathComponent(TensorBoardExport.eventFileName))))
  #expect(top.count == 2 && contains(top[1], "_hparams_/experiment") && contains(top[1], "learning_rate"))
}

@Test func wallClockInterpolatesBetweenEvaluations() {
  let table = TensorBoardExport.Table(
    columns: ["step", "seconds"], rows: [["step": 0, "seconds": 1], ["step": 10, "seconds": 3]])
  let clock = TensorBoardExport.WallClock(start: 100, metrics: table)
  #expect(clock.time(atStep: 5) == 102)
  #expect(clock.time(atStep: 0) == 101 && clock.time(atStep: 50) == 103)
}
