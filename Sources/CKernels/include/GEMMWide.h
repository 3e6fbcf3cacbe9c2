#ifndef TUNETOP_GEMM_WIDE_H
#define TUNETOP_GEMM_WIDE_H

#include <stddef.h>

/// The AVX-512 6x32 tile: two adjacent packed B slivers (TT_NR = 16 columns each, rows TT_NR
/// floats apart; the second at b1) against one A sliver, so every A value broadcast feeds two
/// FMAs. C[0..<mr, 0..<nr] = alpha * (A sliver * [B0 B1]) + beta * C with nr in 1...32; columns
/// of B1 past nr - 16 are never stored (the packers zero-pad them). The A sliver's strides and the
/// beta 0 rule are those of tt_sgemm_kernel_6x16_avx512. A non-null `bias` (the tile's 32 column
/// values) is added to every row: C = alpha * A*B + bias + beta * C.
/// Only call when tt_cpu_has_avx512f() is 1.
void tt_sgemm_kernel_6x32_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b0, const float *b1,
  float *c, ptrdiff_t ldc, float alpha, float beta, const float *bias, ptrdiff_t mr, ptrdiff_t nr);

#endif

/// Runs `iterations` rounds of 24 independent AVX-512 FMA chains (the register-only peak of the
/// 512-bit FMA units: 24 chains cover their latency on two ports) and returns a sum so the loop is
/// not optimised away. Benchmarks only; aborts on CPUs without AVX-512.
float tt_fma_peak_loop_avx512(long iterations);
