#ifndef TUNETOP_THIN_DENSE_H
#define TUNETOP_THIN_DENSE_H

#include <stddef.h>

// Dense layers for inference on thin shapes (tens to a few hundred inputs and outputs, as in the
// MLPs `tunetop predict` runs): y = act(x W^T + b) for a block of rows, with the bias, the ReLU or
// the row softmax applied while the results are still in registers. See ThinDense.c for why.

/// Columns per packed weight panel (four 16-wide ZMM vectors).
#define TT_THIN_PANEL 64

/// What the kernel does to x W^T + b before storing it.
enum tt_thin_epilogue {
  TT_THIN_LINEAR = 0,   // store as is
  TT_THIN_RELU = 1,     // max(0, v)
  TT_THIN_SOFTMAX = 2,  // each row's softmax over its n values (max subtracted first)
};

/// Floats `tt_thin_pack_avx512` writes for a layer of n outputs and k inputs: k * n rounded up to
/// whole 16-wide vectors.
ptrdiff_t tt_thin_packed_count(ptrdiff_t k, ptrdiff_t n);

/// Packs a dense weight stored [n, k] (PyTorch's layout, row stride k) into panels of
/// TT_THIN_PANEL output columns: panel q holds columns q*64 ..< min(n, q*64+64), k rows of its
/// width rounded up to 16 (zero-padded), so one step of k is a few aligned-width vector loads.
/// Portable C (runs once per model); `packed` has tt_thin_packed_count(k, n) floats.
void tt_thin_pack(ptrdiff_t k, ptrdiff_t n, const float *weight, float *packed);

/// y[r, j] = epilogue(sum_p x[r * ldx + p] * W[j, p] + bias[j]) for r < rows, j < n, from weights
/// packed by tt_thin_pack. Columns of y past n are not written. TT_THIN_SOFTMAX needs the whole row
/// in one panel when n <= 64 (fused in registers); wider rows are stored and then normalised in
/// place. Only call when tt_cpu_has_avx512f() returned 1.
void tt_thin_dense_avx512(
  ptrdiff_t rows, ptrdiff_t k, ptrdiff_t n, const float *x, ptrdiff_t ldx, const float *packed,
  const float *bias, float *y, ptrdiff_t ldy, int epilogue);

#endif
