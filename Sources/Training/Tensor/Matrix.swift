/// A dense row-major matrix of `Float`, the value type every layer reads and writes.
public struct Matrix: Equatable, Sendable {
  public private(set) var rows: Int
  public private(set) var cols: Int
  public var storage: [Float]

  public init(rows: Int, cols: Int, repeating value: Float = 0) {
    precondition(rows >= 0 && cols >= 0, "negative matrix shape \(rows)×\(cols)")
    self.rows = rows
    self.cols = cols
    self.storage = [Float](repeating: value, count: rows * cols)
  }

  public init(rows: Int, cols: Int, storage: [Float]) {
    precondition(
      storage.count == rows * cols, "storage has \(storage.count) values, shape needs \(rows * cols)")
    self.rows = rows
    self.cols = cols
    self.storage = storage
  }

  public var count: Int { rows * cols }

  public subscript(row: Int, col: Int) -> Float {
    get { storage[row * cols + col] }
    set { storage[row * cols + col] = newValue }
  }

  /// Changes the shape, keeping the allocation when it is large enough, so per-step buffers are reused.
  /// The contents are unspecified afterwards unless `zero` is set.
  public mutating func reshape(rows: Int, cols: Int, zero: Bool = false) {
    let needed = rows * cols
    if storage.count != needed {
      if storage.count > needed {
        storage.removeLast(storage.count - needed)
      } else {
        storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
      }
    }
    self.rows = rows
    self.cols = cols
    if zero { storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
  }

  /// Rows `range` of this matrix, copied into a new matrix.
  public func rows(_ range: Range<Int>) -> Matrix {
    Matrix(
      rows: range.count, cols: cols,
      storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
  }
}
