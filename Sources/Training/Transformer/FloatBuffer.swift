/// A growable block of floats at a stable address: the per-step workspaces of the encoder.
///
/// Layers keep pointers into each other's buffers from forward to backward (llm.c style), which a
/// Swift array cannot promise. A buffer only grows, when a batch has more tokens than any before, so
/// steady-state steps allocate nothing.
final class FloatBuffer {
  private(set) var pointer: UnsafeMutablePointer<Float>
  private(set) var capacity: Int

  init() {
    capacity = 0
    pointer = .allocate(capacity: 1)
  }

  deinit { pointer.deallocate() }

  /// Makes room for `count` floats; the contents are unspecified after a growth.
  @discardableResult
  func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      pointer.deallocate()
      pointer = .allocate(capacity: max(count, 1))
      capacity = count
    }
    return pointer
  }
}

/// A growable block of bytes at a stable address: dropout keep-masks.
final class ByteBuffer {
  private(set) var pointer: UnsafeMutablePointer<UInt8>
  private(set) var capacity: Int

  init() {
    capacity = 0
    pointer = .allocate(capacity: 1)
  }

  deinit { pointer.deallocate() }

  @discardableResult
  func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
    if count > capacity {
      pointer.deallocate()
      pointer = .allocate(capacity: max(count, 1))
      capacity = count
    }
    return pointer
  }
}
