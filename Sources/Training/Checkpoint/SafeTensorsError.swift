/// Why a safetensors file could not be read or written: names the file, what is wrong and what was expected.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file path (or a caller-chosen label for in-memory data).
  public var source: String
  public var problem: Problem

  public init(source: String, problem: Problem) {
    self.source = source
    self.problem = problem
  }

  /// The specific defect, so tests and callers can tell the cases apart.
  public enum Problem: Equatable, Sendable {
    case unreadable(reason: String)
    case fileTooShort(size: Int)
    case headerLengthTooLarge(headerLength: UInt64, available: Int)
    case headerNotUTF8
    case headerNotJSON(reason: String, offset: Int)
    case headerNotObject(found: String)
    case entryNotObject(name: String, found: String)
    case missingField(tensor: String, field: String)
    case invalidField(tensor: String, field: String, expected: String)
    case unsupportedDType(tensor: String, dtype: String)
    case shapeMismatch(tensor: String, shape: [Int], byteCount: Int, dtype: String)
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
    case overlapping(tensor: String, other: String)
    case gap(tensor: String, begin: Int, expected: Int)
    case trailingBytes(dataEnd: Int, dataSize: Int)
    case duplicateName(String)
    case invalidMetadata(key: String?, found: String)
    case reservedName
  }

  public var description: String { "\(source): \(problem.message)" }
}

extension SafeTensorsError.Problem {
  var message: String {
    switch self {
    case .unreadable(let reason):
      return "cannot read the file: \(reason)"
    case .fileTooShort(let size):
      return "file is \(size) bytes; a safetensors file starts with an 8-byte header length"
    case .headerLengthTooLarge(let length, let available):
      return "header length is \(length) bytes but only \(available) bytes follow the 8-byte length; "
        + "the file is truncated or not safetensors"
    case .headerNotUTF8:
      return "header is not valid UTF-8; expected a UTF-8 JSON object"
    case .headerNotJSON(let reason, let offset):
      return "header is not valid JSON (\(reason) at byte \(offset) of the header); expected a JSON object"
    case .headerNotObject(let found):
      return "header is \(found); expected a JSON object of tensor entries"
    case .entryNotObject(let name, let found):
      return "entry \"\(name)\" is \(found); expected an object with dtype, shape and data_offsets"
    case .missingField(let tensor, let field):
      return "tensor \"\(tensor)\" has no \"\(field)\"; expected dtype, shape and data_offsets"
    case .invalidField(let tensor, let field, let expected):
      return "tensor \"\(tensor)\" has an invalid \"\(field)\"; expected \(expected)"
    case .unsupportedDType(let tensor, let dtype):
      return "tensor \"\(tensor)\": dtype \(dtype) is not supported; tunetop reads F32, F16 and BF16"
    case .shapeMismatch(let tensor, let shape, let byteCount, let dtype):
      let size = SafeTensorsElementType(rawValue: dtype)?.byteCount ?? 4
      return "tensor \"\(tensor)\" has shape \(shape) but its data_offsets span \(byteCount) bytes; "
        + "expected \(size) bytes (one \(dtype)) per element"
    case .offsetsOutOfRange(let tensor, let begin, let end, let dataSize):
      return "tensor \"\(tensor)\" has data_offsets [\(begin), \(end)]; expected begin ≤ end ≤ \(dataSize), "
        + "the size of the data section"
    case .overlapping(let tensor, let other):
      return "tensors \"\(other)\" and \"\(tensor)\" overlap in the data section; "
        + "expected each tensor to have its own bytes"
    case .gap(let tensor, let begin, let expected):
      return "tensor \"\(tensor)\" begins at data byte \(begin) but the previous tensor ends at \(expected); "
        + "expected contiguous tensors"
    case .trailingBytes(let dataEnd, let dataSize):
      return
        "\(dataSize - dataEnd) unexpected bytes after the last tensor (tensors end at data byte \(dataEnd) "
        + "of \(dataSize)); expected the file to end with the last tensor"
    case .duplicateName(let name):
      return "tensor name \"\(name)\" appears more than once; expected unique names"
    case .invalidMetadata(let key, let found):
      if let key { return "__metadata__ value of \"\(key)\" is \(found); expected a string" }
      return "__metadata__ is \(found); expected an object of string values"
    case .reservedName:
      return "a tensor cannot be named __metadata__; that key holds the file's metadata"
    }
  }
}
