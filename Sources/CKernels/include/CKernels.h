#ifndef TUNETOP_CKERNELS_H
#define TUNETOP_CKERNELS_H

#include <stddef.h>

#include "ThinDense.h"  // inference kernels for thin dense layers (tunetop predict)

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

/// 1 when this CPU and OS can run AVX-512F code (cpuid + xgetbv for the ZMM and opmask state),
/// 0 otherwise or on non-x86.
int tt_cpu_has_avx512f(void);

/// The same contract as tt_sgemm_kernel_6x16_avx2 (same packed slivers, same strides, same beta 0
/// rule), with one 16-wide ZMM per tile row. Only call when tt_cpu_has_avx512f() returned 1.
void tt_sgemm_kernel_6x16_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr);

/// Packs a TT_NR-column sliver of op(B) = B^T (B stored n x k, row stride ldb) into `dst`:
/// dst[p * TT_NR + j] = b[j * ldb + p] for p < kc, j < nr; columns nr..<TT_NR are zero.
/// Transposing is the costly packing case, so it gets an AVX2 8x8 transpose.
void tt_pack_transposed_b_avx2(
  ptrdiff_t kc, ptrdiff_t nr, const float *b, ptrdiff_t ldb, float *dst);

/// Packs TT_MR = 6 full rows of A (row-major, row stride lda) as one A sliver:
/// dst[p * TT_MR + r] = a[r * lda + p] for p < kc, r < 6. The Swift loop gathering six rows one
/// float at a time cost ~6% of a 1024^3 product; this does eight columns per 8x8 transpose.
void tt_pack_a6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst);

/// Packs six columns of a stored A that is used transposed (op(A) = A^T, A stored k x m with row
/// stride lda) as one A sliver: dst[p * TT_MR + r] = a[p * lda + r] for p < kc, r < 6.
void tt_pack_at6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst);

/// Runs a register-only FMA loop (12 independent 8-wide chains) and returns a value that depends
/// on every result so the loop cannot be removed. It performs iterations * 12 * 8 * 2 flops.
/// Only call when tt_cpu_has_avx2_fma() returned 1.
float tt_fma_peak_loop_avx2(long iterations);

// Elementwise kernels of the training step. Each `_avx2` function needs tt_cpu_has_avx2_fma() == 1;
// the Swift side (Tensor/Elementwise.swift) has a portable loop for every one of them. The AVX2
// versions use separate multiplies and adds (no FMA contraction) in the same order as the portable
// loops, so both give bit-identical results except where noted.

/// One Adam/AdamW update of n values, PyTorch's arrangement:
///   p -= decoupled_decay * p            (AdamW: decoupled_decay = lr * weight_decay, else 0)
///   g' = g + coupled_decay * p          (Adam with L2: coupled_decay = weight_decay, else 0)
///   m = beta1 * m + (1 - beta1) * g';  v = beta2 * v + (1 - beta2) * g' * g'
///   p -= step_size * m / (sqrt(v) * inverse_correction2_root + eps)
/// (PyTorch divides sqrt(v) by sqrt(1 - beta2^t); multiplying by the reciprocal instead differs by
/// at most an ulp of the denominator and saves one of the two divides, the kernel's bottleneck.)
void tt_adam_update_avx2(
  ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1, float beta2,
  float decoupled_decay, float coupled_decay, float step_size, float inverse_correction2_root, float eps);

/// Sum of x[i]^2 accumulated in double (4 lanes, so the order differs from a serial sum).
double tt_sum_squares_avx2(ptrdiff_t n, const float *x);

/// x[i] *= s.
void tt_scale_avx2(ptrdiff_t n, float *x, float s);

/// y[i] = max(x[i], 0).
void tt_relu_forward_avx2(ptrdiff_t n, const float *x, float *y);

/// dx[i] = y[i] > 0 ? g[i] : 0.
void tt_relu_backward_avx2(ptrdiff_t n, const float *y, const float *g, float *dx);

/// out[i] = a[i] * b[i].
void tt_multiply_avx2(ptrdiff_t n, const float *a, const float *b, float *out);

/// out[j] += sum over r of g[r * cols + j] (the bias gradient of a dense layer).
void tt_add_column_sums_avx2(ptrdiff_t rows, ptrdiff_t cols, const float *g, float *out);

/// A 64-byte aligned scratch buffer of at least `count` floats owned by the calling thread, reused
/// across calls (grown when too small) and freed when the thread exits. Contents are unspecified.
/// Used for GEMM packing so a training step does not allocate.
float *tt_thread_scratch(size_t count);

#include "GEMMWide.h"  // the AVX-512 6x32 tile (bertspeed)
#include "TransformerKernels.h"  // the encoder's vectorised elementwise kernels

#endif
