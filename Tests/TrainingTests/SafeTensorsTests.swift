import Foundation
import Testing

@testable import Training

/// A safetensors file with a hand-written header, for the corrupt cases.
private func safetensors(header: String, dataBytes: Int) -> Data {
  var data = Data()
  let headerBytes = Array(header.utf8)
  withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
  data.append(contentsOf: headerBytes)
  data.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
  return data
}

private func problem(reading data: Data) -> SafeTensorsError.Problem? {
  do {
    _ = try SafeTensors.read(data: data, source: "test.safetensors")
    return nil
  } catch {
    #expect(error.description.hasPrefix("test.safetensors: "))
    return error.problem
  }
}

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

private func fixtureURL() throws -> URL {
  try #require(
    Bundle.module.url(forResource: "python", withExtension: "safetensors", subdirectory: "Fixtures"))
}

@Test func safetensorsRoundTripIsBitIdentical() throws {
  let special: [Float] = [
    0, -0.0, 1, -1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Float(bitPattern: 0x0008_0000),
    .leastNormalMagnitude,
    .greatestFiniteMagnitude, .infinity, -.infinity, .pi, Float(bitPattern: 0x7FC0_1234),
  ]
  let tensors = [
    NamedTensor(name: "hidden1.weight", shape: [13], values: special),
    NamedTensor(name: "head.bias", shape: [], values: [-0.0]),
    NamedTensor(name: "empty", shape: [0, 4], values: []),
    NamedTensor(name: "hidden1.bias", matrix: Matrix(rows: 2, cols: 3, storage: [1, 2, 3, 4, 5, 6])),
  ]
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "tunetop-st-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let url = directory.appendingPathComponent("last.safetensors")

  let metadata = ["epoch": "7", "quote \"and\" newline\n": "ünïcødé ✓ \u{1}"]
  try SafeTensors.write(tensors, metadata: metadata, to: url)
  let file = try SafeTensors.read(from: url)

  #expect(file.metadata == metadata)
  #expect(file.names == ["empty", "head.bias", "hidden1.bias", "hidden1.weight"])
  for tensor in tensors {
    let read = try #require(file[tensor.name])
    #expect(read.shape == tensor.shape)
    #expect(bits(read.values) == bits(tensor.values), "\(tensor.name)")
  }
  #expect(file["missing"] == nil)
  #expect((try Data(contentsOf: url).count - 8) % 8 == 0)
}

@Test func readsAFileWrittenByPythonSafetensors() throws {
  let file = try SafeTensors.read(from: try fixtureURL())
  #expect(file.metadata == ["made_by": "safetensors.numpy", "note": "tunetop fixture"])
  #expect(file.names == ["bias", "empty", "scalar", "weight"])
  #expect(file["weight"]?.shape == [2, 3])
  let weight: [Float] = [1.5, -0.0, Float(bitPattern: 2), -2.25, 1e30, 0.1]
  #expect(bits(file["weight"]!.values) == bits(weight))
  #expect(file["bias"]?.values == [-1, 0, 1])
  #expect(file["scalar"]?.shape == [])
  #expect(file["scalar"]?.values == [7])
  #expect(file["empty"]?.shape == [0, 3])
  #expect(file["empty"]?.values == [])
}

@Test func encodesTheSameBytesAsPythonSafetensors() throws {
  let python = try Data(contentsOf: try fixtureURL())
  let reread = try SafeTensors.read(data: python, source: "python.safetensors")
  let ours = try SafeTensors.encode(reread.tensors.reversed(), metadata: reread.metadata)
  #expect(ours == python)
}

@Test func writerRejectsDuplicateAndReservedNames() {
  let a = NamedTensor(name: "a", shape: [1], values: [1])
  #expect(throws: SafeTensorsError(source: "<memory>", problem: .duplicateName("a"))) {
    try SafeTensors.encode([a, a])
  }
  let reserved = NamedTensor(name: "__metadata__", shape: [1], values: [1])
  #expect(throws: SafeTensorsError(source: "<memory>", problem: .reservedName)) {
    try SafeTensors.encode([reserved])
  }
}

@Test func readingAMissingFileNamesIt() {
  let url = URL(fileURLWithPath: "/nonexistent-tunetop/best.safetensors")
  let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: url) }
  #expect(error?.description.hasPrefix("/nonexistent-tunetop/best.safetensors: cannot read") == true)
}

@Test func truncatedFilesAreReportedAsSuch() {
  #expect(problem(reading: Data([1, 2, 3])) == .fileTooShort(size: 3))
  var data = Data()
  withUnsafeBytes(of: UInt64(1000).littleEndian) { data.append(contentsOf: $0) }
  data.append(contentsOf: [UInt8](repeating: 0x20, count: 10))
  #expect(problem(reading: data) == .headerLengthTooLarge(headerLength: 1000, available: 10))
  data = Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0])
  #expect(problem(reading: data) == .headerLengthTooLarge(headerLength: .max, available: 1))
}

@Test func malformedHeadersGiveTheirSpecificError() {
  var notUTF8 = safetensors(header: "{}      ", dataBytes: 0)
  notUTF8[9] = 0xFF
  #expect(problem(reading: notUTF8) == .headerNotUTF8)
  #expect(
    problem(reading: safetensors(header: "{\"a\": ", dataBytes: 0))
      == .headerNotJSON(reason: "unexpected end of the header", offset: 6))
  #expect(
    problem(reading: safetensors(header: "{} x", dataBytes: 0))
      == .headerNotJSON(reason: "unexpected text after the JSON value", offset: 3))
  #expect(
    problem(reading: safetensors(header: String(repeating: "[", count: 100), dataBytes: 0))
      == .headerNotJSON(reason: "nested more than 32 levels", offset: 32))
  #expect(
    problem(reading: safetensors(header: "[1, 2]", dataBytes: 0)) == .headerNotObject(found: "an array"))
  #expect(
    problem(reading: safetensors(header: "{\"w\": 3}", dataBytes: 0))
      == .entryNotObject(name: "w", found: "a number"))
  #expect(
    problem(reading: safetensors(header: "{\"__metadata__\": {\"k\": 1}}", dataBytes: 0))
      == .invalidMetadata(key: "k", found: "a number"))
  #expect(
    problem(reading: safetensors(header: "{\"__metadata__\": []}", dataBytes: 0))
      == .invalidMetadata(key: nil, found: "an array"))
}

@Test func malformedTensorEntriesGiveTheirSpecificError() {
  func check(_ entries: String, dataBytes: Int, _ expected: SafeTensorsError.Problem) {
    #expect(
      problem(reading: safetensors(header: "{\(entries)}", dataBytes: dataBytes)) == expected, "\(entries)")
  }
  check(
    #""w": {"dtype": "F32", "shape": [1]}"#, dataBytes: 4, .missingField(tensor: "w", field: "data_offsets"))
  check(
    #""w": {"shape": [1], "data_offsets": [0, 4]}"#, dataBytes: 4, .missingField(tensor: "w", field: "dtype"))
  check(
    #""w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}"#, dataBytes: 4,
    .invalidField(tensor: "w", field: "shape", expected: "an array of non-negative integers"))
  check(
    #""w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}"#, dataBytes: 4,
    .invalidField(tensor: "w", field: "shape", expected: "an array of non-negative integers"))
  check(
    #""w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}"#, dataBytes: 4,
    .invalidField(tensor: "w", field: "data_offsets", expected: "[begin, end], two non-negative integers"))
  check(
    #""w": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}"#, dataBytes: 4,
    .invalidField(tensor: "w", field: "dtype", expected: "a string such as \"F32\""))
  check(
    #""w": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}"#, dataBytes: 16,
    .unsupportedDType(tensor: "w", dtype: "F64"))
  check(
    #""w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}"#, dataBytes: 20,
    .shapeMismatch(tensor: "w", shape: [2, 3], byteCount: 20, dtype: "F32"))
  check(
    #""w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 16]}"#, dataBytes: 16,
    .shapeMismatch(tensor: "w", shape: [4_611_686_018_427_387_904, 4], byteCount: 16, dtype: "F32"))
  check(
    #""w": {"dtype": "F32", "shape": [16], "data_offsets": [0, 64]}"#, dataBytes: 32,
    .offsetsOutOfRange(tensor: "w", begin: 0, end: 64, dataSize: 32))
  check(
    #""w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}"#, dataBytes: 8,
    .offsetsOutOfRange(tensor: "w", begin: 8, end: 4, dataSize: 8))
  check(
    #""a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}"#,
    dataBytes: 12, .overlapping(tensor: "b", other: "a"))
  check(
    #""a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}"#,
    dataBytes: 12, .gap(tensor: "b", begin: 8, expected: 4))
  check(
    #""a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}"#, dataBytes: 8,
    .trailingBytes(dataEnd: 4, dataSize: 8))
  check(
    #""a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}"#,
    dataBytes: 8, .duplicateName("a"))
}

@Test func errorMessagesSayWhatIsWrongAndWhatWasExpected() {
  let f16 = SafeTensorsError(
    source: "base.safetensors", problem: .unsupportedDType(tensor: "w", dtype: "F64"))
  #expect(
    f16.description
      == "base.safetensors: tensor \"w\": dtype F64 is not supported; tunetop reads F32, F16 and BF16")
  let short = SafeTensorsError(source: "x.safetensors", problem: .fileTooShort(size: 3))
  #expect(
    short.description
      == "x.safetensors: file is 3 bytes; a safetensors file starts with an 8-byte header length")
}
