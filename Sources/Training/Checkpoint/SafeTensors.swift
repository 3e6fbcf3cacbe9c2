import Foundation

/// Reads and writes the safetensors format, compatible with Python's `safetensors.numpy`. It writes
/// F32; it reads F32, and F16 and BF16 (converted exactly to F32, as Hugging Face models are often
/// saved in half precision).
///
/// Layout: an 8-byte little-endian header length, a UTF-8 JSON header mapping each tensor name to
/// `{"dtype","shape","data_offsets"}` (plus an optional `__metadata__` object of strings), then the
/// raw little-endian data. Like the reference implementation, the reader requires the tensors to
/// tile the data section exactly, so any file we accept also loads in Python.
public enum SafeTensors {
  /// Writes `tensors` atomically (temp file + rename), so a crash never leaves a torn checkpoint.
  public static func write(
    _ tensors: [NamedTensor], metadata: [String: String] = [:], to url: URL, durable: Bool = true
  ) throws {
    let data = try encode(tensors, metadata: metadata, source: url.path)
    try AtomicFile.write(data, to: url, durable: durable)
  }

  /// The file bytes for `tensors`, sorted by name as the reference writer does.
  public static func encode(
    _ tensors: [NamedTensor], metadata: [String: String] = [:], source: String = "<memory>"
  ) throws(SafeTensorsError) -> Data {
    let sorted = tensors.sorted { $0.name < $1.name }
    for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.name == next.name {
      throw SafeTensorsError(source: source, problem: .duplicateName(next.name))
    }
    if sorted.contains(where: { $0.name == "__metadata__" }) {
      throw SafeTensorsError(source: source, problem: .reservedName)
    }

    var header = "{"
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for tensor in sorted {
      let end = offset + tensor.values.count * 4
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(jsonString(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    header += entries.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    // The reference pads with spaces so the data section starts 8-byte aligned.
    while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

    var data = Data(capacity: 8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: headerBytes)
    for tensor in sorted {
      let bits = tensor.values.map { $0.bitPattern.littleEndian }
      bits.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    return data
  }

  /// Reads the safetensors file at `url`. Tensors named in `skipping` (such as the integer
  /// `position_ids` buffer some Hugging Face checkpoints carry) are left out of the result; only
  /// their place in the data section is checked, whatever their dtype.
  public static func read(from url: URL, skipping: Set<String> = []) throws(SafeTensorsError)
    -> SafeTensorsFile
  {
    let data: Data
    do {
      data = try FileReader.contents(of: url.path)
    } catch {
      throw SafeTensorsError(source: url.path, problem: .unreadable(reason: error.reason))
    }
    return try read(data: data, source: url.path, skipping: skipping)
  }

  /// Parses safetensors bytes; `source` names them in errors (a path, or e.g. "<fuzz input>").
  public static func read(data: Data, source: String, skipping: Set<String> = []) throws(SafeTensorsError)
    -> SafeTensorsFile
  {
    func fail(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
      SafeTensorsError(source: source, problem: problem)
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw fail(.fileTooShort(size: bytes.count)) }
    var headerLength: UInt64 = 0
    for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
    let available = bytes.count - 8
    guard headerLength <= UInt64(available) else {
      throw fail(.headerLengthTooLarge(headerLength: headerLength, available: available))
    }
    let dataStart = 8 + Int(headerLength)
    let headerBytes = Array(bytes[8..<dataStart])
    guard String(validating: headerBytes, as: UTF8.self) != nil else { throw fail(.headerNotUTF8) }

    let json: HeaderJSON
    do {
      json = try HeaderJSON.parse(headerBytes)
    } catch {
      throw fail(.headerNotJSON(reason: error.message, offset: error.offset))
    }
    guard case .object(let members) = json else { throw fail(.headerNotObject(found: json.kind)) }

    let dataSize = bytes.count - dataStart
    var seen = Set<String>()
    var metadata: [String: String] = [:]
    var entries: [(name: String, begin: Int, end: Int, shape: [Int], type: SafeTensorsElementType?)] = []
    for (name, value) in members {
      guard seen.insert(name).inserted else { throw fail(.duplicateName(name)) }
      if name == "__metadata__" {
        metadata = try parseMetadata(value, fail: fail)
        continue
      }
      guard case .object(let fields) = value else {
        throw fail(.entryNotObject(name: name, found: value.kind))
      }
      func field(_ key: String) throws(SafeTensorsError) -> HeaderJSON {
        guard let found = fields.last(where: { $0.key == key }) else {
          throw fail(.missingField(tensor: name, field: key))
        }
        return found.value
      }
      guard case .string(let dtype) = try field("dtype") else {
        throw fail(.invalidField(tensor: name, field: "dtype", expected: "a string such as \"F32\""))
      }
      guard let shape = nonNegativeIntegers(try field("shape")) else {
        throw fail(.invalidField(tensor: name, field: "shape", expected: "an array of non-negative integers"))
      }
      guard let offsets = nonNegativeIntegers(try field("data_offsets")), offsets.count == 2 else {
        throw fail(
          .invalidField(
            tensor: name, field: "data_offsets", expected: "[begin, end], two non-negative integers"))
      }
      if skipping.contains(name) {
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataSize else {
          throw fail(.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize))
        }
        entries.append((name, begin, end, shape, nil))
        continue
      }
      guard let elementType = SafeTensorsElementType(rawValue: dtype) else {
        throw fail(.unsupportedDType(tensor: name, dtype: dtype))
      }
      let elementSize = elementType.byteCount
      let (begin, end) = (offsets[0], offsets[1])
      guard begin <= end, end <= dataSize else {
        throw fail(.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize))
      }
      var elements = 1
      var overflow = false
      for dimension in shape where !overflow {
        (elements, overflow) = elements.multipliedReportingOverflow(by: dimension)
      }
      guard !overflow, elements <= (end - begin) / elementSize, elements * elementSize == end - begin else {
        throw fail(.shapeMismatch(tensor: name, shape: shape, byteCount: end - begin, dtype: dtype))
      }
      entries.append((name, begin, end, shape, elementType))
    }

    entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    var expected = 0
    for (index, entry) in entries.enumerated() {
      if entry.begin < expected {
        throw fail(.overlapping(tensor: entry.name, other: entries[index - 1].name))
      }
      if entry.begin > expected {
        throw fail(.gap(tensor: entry.name, begin: entry.begin, expected: expected))
      }
      expected = entry.end
    }
    guard expected == dataSize else { throw fail(.trailingBytes(dataEnd: expected, dataSize: dataSize)) }

    let tensors = bytes.withUnsafeBytes { raw in
      entries.compactMap { entry -> NamedTensor? in
        guard let type = entry.type else { return nil }
        let base = dataStart + entry.begin
        let count = (entry.end - entry.begin) / type.byteCount
        let values: [Float]
        switch type {
        case .f32:
          values = (0..<count).map { i in
            Float(
              bitPattern: UInt32(
                littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)))
          }
        case .f16:
          values = (0..<count).map { i in
            HalfPrecision.float(
              fromF16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self)))
          }
        case .bf16:
          values = (0..<count).map { i in
            HalfPrecision.float(
              fromBF16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: base + 2 * i, as: UInt16.self))
            )
          }
        }
        return NamedTensor(name: entry.name, shape: entry.shape, values: values)
      }
    }
    return SafeTensorsFile(tensors: tensors, metadata: metadata)
  }

  private static func parseMetadata(
    _ value: HeaderJSON, fail: (SafeTensorsError.Problem) -> SafeTensorsError
  ) throws(SafeTensorsError) -> [String: String] {
    guard case .object(let pairs) = value else { throw fail(.invalidMetadata(key: nil, found: value.kind)) }
    var metadata: [String: String] = [:]
    for (key, entry) in pairs {
      guard case .string(let text) = entry else { throw fail(.invalidMetadata(key: key, found: entry.kind)) }
      metadata[key] = text
    }
    return metadata
  }

  private static func nonNegativeIntegers(_ value: HeaderJSON) -> [Int]? {
    guard case .array(let elements) = value else { return nil }
    var result: [Int] = []
    for element in elements {
      guard case .integer(let integer) = element, integer >= 0 else { return nil }
      result.append(integer)
    }
    return result
  }

  private static func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
