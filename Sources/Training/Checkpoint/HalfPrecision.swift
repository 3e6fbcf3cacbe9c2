/// The element types the safetensors reader accepts, with their sizes in bytes.
enum SafeTensorsElementType: String, Sendable {
  case f32 = "F32"
  case f16 = "F16"
  case bf16 = "BF16"

  var byteCount: Int { self == .f32 ? 4 : 2 }
}

/// Exact widening of IEEE half (F16) and bfloat16 (BF16) bit patterns to `Float`.
///
/// Done on the bits rather than with `Float16`, which Swift does not offer on every platform the
/// package builds for (macOS on Intel). Every half value is exactly representable as a `Float`.
enum HalfPrecision {
  static func float(fromBF16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

  static func float(fromF16 bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits) & 0x3FF
    if exponent == 0x1F {
      // Infinity, or NaN with its payload kept in the top mantissa bits.
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    }
    if exponent != 0 {
      return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
    // Zero or subnormal: mantissa·2⁻²⁴, exact in Float.
    let magnitude = Float(mantissa) * 0x1p-24
    return sign != 0 ? -magnitude : magnitude
  }
}
