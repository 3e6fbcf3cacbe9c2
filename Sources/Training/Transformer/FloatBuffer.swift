/// A growable block of values at a stable address: the per-step workspaces of the encoder.
///
/// Layers keep pointers into each other's buffers from forward to backward (llm.c style), which a
/// Swift array cannot promise. A buffer only grows, when a batch has more tokens than any before, so
/// steady-state steps allocate nothing.
final class GrowableBuffer<Element> {
  private(set) var pointer: UnsafeMutablePointer<Element>
  private(set) var capacity: Int

  init() {
    capacity = 0
    pointer = .allocate(capacity: 1)
  }

  deinit { pointer.deallocate() }

  /// Makes room for `count` values; the contents are unspecified after a growth.
  @discardableResult
  func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
    if count > capacity {
      pointer.deallocate()
      pointer = .allocate(capacity: max(count, 1))
      capacity = count
    }
    return pointer
  }
}

/// Activations, gradients and scratch of the encoder.
typealias FloatBuffer = GrowableBuffer<Float>
/// Dropout keep-masks.
typealias ByteBuffer = GrowableBuffer<UInt8>
