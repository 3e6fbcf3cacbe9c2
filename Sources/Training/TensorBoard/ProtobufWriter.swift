import Foundation

/// Protocol-buffer wire format for the few messages tunetop writes (TensorBoard's events), encoded
/// field by field: varints, fixed 32/64-bit numbers and length-delimited bytes or messages.
public struct ProtobufWriter {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  enum WireType: UInt64 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
  }

  mutating func varint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  mutating func key(_ field: Int, _ type: WireType) {
    varint(UInt64(field) << 3 | type.rawValue)
  }

  /// An int32, int64 or enum field; negative values take ten bytes, as protobuf encodes them.
  public mutating func integer(_ field: Int, _ value: Int64) {
    key(field, .varint)
    varint(UInt64(bitPattern: value))
  }

  public mutating func bool(_ field: Int, _ value: Bool) {
    key(field, .varint)
    varint(value ? 1 : 0)
  }

  public mutating func double(_ field: Int, _ value: Double) {
    key(field, .fixed64)
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }

  public mutating func float(_ field: Int, _ value: Float) {
    key(field, .fixed32)
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }

  public mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, .lengthDelimited)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  public mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  /// A nested message, built by `body` (which may write nothing: an empty message is still present).
  public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
    var nested = ProtobufWriter()
    body(&nested)
    bytes(field, nested.bytes)
  }
}
