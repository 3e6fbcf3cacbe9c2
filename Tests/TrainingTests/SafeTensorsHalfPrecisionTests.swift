import Foundation
import Testing

@testable import Training

/// A safetensors file of one tensor with `dtype` and raw little-endian `data`.
private func file(dtype: String, shape: [Int], data: [UInt8], extra: String = "") -> Data {
  let shapeText = shape.map(String.init).joined(separator: ",")
  var header = Array(
    #"{"w":{"dtype":"\#(dtype)","shape":[\#(shapeText)],"data_offsets":[0,\#(data.count)]}\#(extra)}"#.utf8)
  while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
  var bytes = Data()
  withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
  bytes.append(contentsOf: header)
  bytes.append(contentsOf: data)
  return bytes
}

private func littleEndian(_ halves: [UInt16]) -> [UInt8] {
  halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}

@Test func float16TensorsAreWidenedExactly() throws {
  // 1, -2, 0.5 + 2⁻¹¹ (mantissa bit), largest subnormal-free value 65504, smallest subnormal 2⁻²⁴,
  // -0, +∞.
  let bits: [UInt16] = [0x3C00, 0xC000, 0x3801, 0x7BFF, 0x0001, 0x8000, 0x7C00]
  let read = try SafeTensors.read(data: file(dtype: "F16", shape: [7], data: littleEndian(bits)), source: "h")
  let values = try #require(read["w"]).values
  #expect(Array(values.prefix(5)) == [1, -2, 0.5 + 0x1p-11, 65504, 0x1p-24])
  #expect(values[5] == 0 && values[5].sign == .minus)
  #expect(values[6] == .infinity)
  let nan = try SafeTensors.read(
    data: file(dtype: "F16", shape: [1], data: littleEndian([0x7E00])), source: "h")
  #expect(nan["w"]!.values[0].isNaN)
}

@Test func bfloat16TensorsAreWidenedExactly() throws {
  let bits: [UInt16] = [0x3F80, 0xC040, 0x0001, 0xFF80]
  let read = try SafeTensors.read(
    data: file(dtype: "BF16", shape: [2, 2], data: littleEndian(bits)), source: "b")
  let tensor = try #require(read["w"])
  #expect(tensor.shape == [2, 2])
  #expect(Array(tensor.values.prefix(3)) == [1, -3, Float(bitPattern: 0x0001_0000)])
  #expect(tensor.values[3] == -.infinity)
}

@Test func halfPrecisionSizesAreCheckedAgainstTheShape() {
  // Three F16 elements need 6 bytes, not 8.
  #expect(
    throws: SafeTensorsError(
      source: "h", problem: .shapeMismatch(tensor: "w", shape: [3], byteCount: 8, dtype: "F16"))
  ) {
    try SafeTensors.read(
      data: file(dtype: "F16", shape: [3], data: [UInt8](repeating: 0, count: 8)), source: "h")
  }
  let error = SafeTensorsError(
    source: "h", problem: .shapeMismatch(tensor: "w", shape: [3], byteCount: 8, dtype: "F16"))
  #expect(error.description.hasSuffix("expected 2 bytes (one F16) per element"))
}

@Test func skippedTensorsKeepTheirPlaceButNotTheirDType() throws {
  // An I64 buffer as Hugging Face checkpoints carry (`embeddings.position_ids`) next to an F32 tensor.
  var header = Array(
    #"{"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
      .utf8)
  while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
  var bytes = Data()
  withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
  bytes.append(contentsOf: header)
  bytes.append(contentsOf: [UInt8](repeating: 0, count: 16))
  withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  #expect(throws: SafeTensorsError(source: "s", problem: .unsupportedDType(tensor: "ids", dtype: "I64"))) {
    try SafeTensors.read(data: bytes, source: "s")
  }
  let read = try SafeTensors.read(data: bytes, source: "s", skipping: ["ids"])
  #expect(read.names == ["w"])
  #expect(read["w"]!.values == [2.5])
  // Skipped or not, the tensors must still tile the data section.
  #expect(throws: SafeTensorsError.self) {
    try SafeTensors.read(data: bytes + [0, 0, 0, 0], source: "s", skipping: ["ids"])
  }
}
