import Foundation

/// Frames records as TFRecord does: little-endian uint64 length, masked CRC-32C of those eight
/// bytes, the data, masked CRC-32C of the data. TensorBoard's event files are such records.
public struct TFRecordWriter {
  public private(set) var data = Data()

  public init() {}

  public mutating func append(_ record: [UInt8]) {
    var length = UInt64(record.count).littleEndian
    let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
    data.append(contentsOf: lengthBytes)
    appendLittleEndian(CRC32C.masked(lengthBytes))
    data.append(contentsOf: record)
    appendLittleEndian(CRC32C.masked(record))
  }

  private mutating func appendLittleEndian(_ value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
}
