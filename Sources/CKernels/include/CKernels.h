#ifndef TUNETOP_CKERNELS_H
#define TUNETOP_CKERNELS_H

#include <stddef.h>

// Micro-kernel tile: every call computes a TT_MR x TT_NR block of C.
#define TT_MR 6
#define TT_NR 16

/// 1 when this CPU and OS can run the AVX2+FMA kernels (cpuid + xgetbv), 0 otherwise or on non-x86.
int tt_cpu_has_avx2_fma(void);

/// C[0..<mr, 0..<nr] = alpha * (A sliver * B sliver) + beta * C over kc steps.
/// Element (r, p) of the A sliver is a[r * rsa + p * csa] (packed: rsa 1, csa TT_MR; or A read in
/// place with its own strides); rows r >= mr are never read. Row p of the B sliver is the TT_NR
/// floats at b + p * rsb (packed: rsb TT_NR; or B read in place when nr == TT_NR).
/// beta == 0 never reads C (it may hold NaN). Only call when tt_cpu_has_avx2_fma() returned 1.
void tt_sgemm_kernel_6x16_avx2(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr);

/// Packs a TT_NR-column sliver of op(B) = B^T (B stored n x k, row stride ldb) into `dst`:
/// dst[p * TT_NR + j] = b[j * ldb + p] for p < kc, j < nr; columns nr..<TT_NR are zero.
/// Transposing is the costly packing case, so it gets an AVX2 8x8 transpose.
void tt_pack_transposed_b_avx2(
  ptrdiff_t kc, ptrdiff_t nr, const float *b, ptrdiff_t ldb, float *dst);

/// Runs a register-only FMA loop (12 independent 8-wide chains) and returns a value that depends
/// on every result so the loop cannot be removed. It performs iterations * 12 * 8 * 2 flops.
/// Only call when tt_cpu_has_avx2_fma() returned 1.
float tt_fma_peak_loop_avx2(long iterations);

#endif
