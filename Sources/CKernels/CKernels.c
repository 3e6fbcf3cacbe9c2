// AVX2+FMA kernels for the tunetop GEMM.
//
// Why C: SwiftPM cannot give a single Swift function its own target features, and building the whole
// package with -target-cpu would make the binary crash (SIGILL) on CPUs without AVX2. Without AVX2
// enabled the Swift SIMD8 fused multiply-add lowers to scalar fmaf calls (~100x slower). A C function
// with __attribute__((target("avx2,fma"))) is compiled with those instructions while the rest of
// the package keeps the baseline ISA; Swift calls it only after tt_cpu_has_avx2_fma() said yes.
// On other architectures this file compiles to stubs and the portable Swift kernel is used.

#include "CKernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int tt_cpu_has_avx2_fma(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  const unsigned fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
  if ((ecx & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
  // The OS must save the YMM state on context switches (XCR0 bits 1 and 2), or AVX registers
  // would be corrupted even though the CPU has them.
  unsigned xcr0_lo, xcr0_hi;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & 0x6) != 0x6) return 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  return (ebx & (1u << 5)) != 0;
}

#define TT_AVX2 __attribute__((target("avx2,fma")))

TT_AVX2 static inline void tt_store_row(
  float *c, __m256 lo, __m256 hi, __m256 alpha, float beta) {
  lo = _mm256_mul_ps(lo, alpha);
  hi = _mm256_mul_ps(hi, alpha);
  if (beta == 0.0f) {
    // Overwrite without reading: C may hold NaN or garbage when beta is 0.
  } else if (beta == 1.0f) {
    lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
    hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
  } else {
    __m256 vbeta = _mm256_set1_ps(beta);
    lo = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c), lo);
    hi = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + 8), hi);
  }
  _mm256_storeu_ps(c, lo);
  _mm256_storeu_ps(c + 8, hi);
}

TT_AVX2 void tt_sgemm_kernel_6x16_avx2(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
  // Rows past mr repeat the last real row: their results are discarded, and A read in place has
  // no padding rows to read.
  const float *a0 = a, *a1 = a + (mr > 1 ? 1 : 0) * rsa, *a2 = a + (mr > 2 ? 2 : mr - 1) * rsa;
  const float *a3 = a + (mr > 3 ? 3 : mr - 1) * rsa, *a4 = a + (mr > 4 ? 4 : mr - 1) * rsa;
  const float *a5 = a + (mr > 5 ? 5 : mr - 1) * rsa;
  // 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 YMM registers.
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // The C tile is needed at the end; start fetching it now so the store does not wait on memory.
  for (ptrdiff_t i = 0; i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
  ptrdiff_t off = 0;
  for (ptrdiff_t p = 0; p < kc; p++, off += csa, b += rsb) {
    // A streams from L2 in large products: fetch ~16 steps ahead (packed A advances 24 bytes per
    // step). Measured at 1024^3: ~0.85 -> ~0.95 of OpenBLAS; neutral on training shapes.
    _mm_prefetch((const char *)(a0 + off + 16 * csa), _MM_HINT_T0);
    __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a0 + off);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a1 + off);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a2 + off);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a3 + off);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a4 + off);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a5 + off);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
  }
  __m256 valpha = _mm256_set1_ps(alpha);
  if (mr == TT_MR && nr == TT_NR) {
    tt_store_row(c + 0 * ldc, c00, c01, valpha, beta);
    tt_store_row(c + 1 * ldc, c10, c11, valpha, beta);
    tt_store_row(c + 2 * ldc, c20, c21, valpha, beta);
    tt_store_row(c + 3 * ldc, c30, c31, valpha, beta);
    tt_store_row(c + 4 * ldc, c40, c41, valpha, beta);
    tt_store_row(c + 5 * ldc, c50, c51, valpha, beta);
    return;
  }
  // Edge tile: go through a scratch tile so nothing outside the mr x nr block is touched.
  float tile[TT_MR * TT_NR] __attribute__((aligned(32)));
  tt_store_row(tile + 0 * TT_NR, c00, c01, valpha, 0.0f);
  tt_store_row(tile + 1 * TT_NR, c10, c11, valpha, 0.0f);
  tt_store_row(tile + 2 * TT_NR, c20, c21, valpha, 0.0f);
  tt_store_row(tile + 3 * TT_NR, c30, c31, valpha, 0.0f);
  tt_store_row(tile + 4 * TT_NR, c40, c41, valpha, 0.0f);
  tt_store_row(tile + 5 * TT_NR, c50, c51, valpha, 0.0f);
  for (ptrdiff_t i = 0; i < mr; i++) {
    float *row = c + i * ldc;
    const float *t = tile + i * TT_NR;
    if (beta == 0.0f) {
      for (ptrdiff_t j = 0; j < nr; j++) row[j] = t[j];
    } else {
      for (ptrdiff_t j = 0; j < nr; j++) row[j] = t[j] + beta * row[j];
    }
  }
}

TT_AVX2 static inline void tt_transpose8(
  const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd) {
  __m256 r0 = _mm256_loadu_ps(src + 0 * lds), r1 = _mm256_loadu_ps(src + 1 * lds);
  __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
  __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
  __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * ldd, _mm256_permute2f128_ps(s0, s4, 0x20));
  _mm256_storeu_ps(dst + 1 * ldd, _mm256_permute2f128_ps(s1, s5, 0x20));
  _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(s2, s6, 0x20));
  _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(s3, s7, 0x20));
  _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(s0, s4, 0x31));
  _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(s1, s5, 0x31));
  _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(s2, s6, 0x31));
  _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(s3, s7, 0x31));
}

TT_AVX2 void tt_pack_transposed_b_avx2(
  ptrdiff_t kc, ptrdiff_t nr, const float *b, ptrdiff_t ldb, float *dst) {
  ptrdiff_t p = 0;
  if (nr == TT_NR) {
    // Two 8x8 transposes per 8 steps of k: rows j of B become columns of the packed sliver.
    for (; p + 8 <= kc; p += 8) {
      tt_transpose8(b + p, ldb, dst + p * TT_NR, TT_NR);
      tt_transpose8(b + 8 * ldb + p, ldb, dst + p * TT_NR + 8, TT_NR);
    }
  }
  for (; p < kc; p++) {
    float *d = dst + p * TT_NR;
    ptrdiff_t j = 0;
    for (; j < nr; j++) d[j] = b[j * ldb + p];
    for (; j < TT_NR; j++) d[j] = 0.0f;
  }
}

TT_AVX2 float tt_fma_peak_loop_avx2(long iterations) {
  // Twelve independent chains cover the FMA latency (4 cycles) times the two FMA pipes with room
  // to spare; the multiplier is just below 1 so values stay finite.
  __m256 m = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
  __m256 v0 = _mm256_set1_ps(1.0f), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0;
  __m256 v6 = v0, v7 = v0, v8 = v0, v9 = v0, v10 = v0, v11 = v0;
  for (long i = 0; i < iterations; i++) {
    v0 = _mm256_fmadd_ps(v0, m, add);
    v1 = _mm256_fmadd_ps(v1, m, add);
    v2 = _mm256_fmadd_ps(v2, m, add);
    v3 = _mm256_fmadd_ps(v3, m, add);
    v4 = _mm256_fmadd_ps(v4, m, add);
    v5 = _mm256_fmadd_ps(v5, m, add);
    v6 = _mm256_fmadd_ps(v6, m, add);
    v7 = _mm256_fmadd_ps(v7, m, add);
    v8 = _mm256_fmadd_ps(v8, m, add);
    v9 = _mm256_fmadd_ps(v9, m, add);
    v10 = _mm256_fmadd_ps(v10, m, add);
    v11 = _mm256_fmadd_ps(v11, m, add);
  }
  __m256 s = _mm256_add_ps(
    _mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3)),
    _mm256_add_ps(_mm256_add_ps(v4, v5), _mm256_add_ps(v6, v7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(v8, v9), _mm256_add_ps(v10, v11)));
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

#else

int tt_cpu_has_avx2_fma(void) { return 0; }

// Never called on these architectures (tt_cpu_has_avx2_fma() is 0); they exist so the Swift side
// links everywhere without conditional imports.
void tt_sgemm_kernel_6x16_avx2(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
  (void)kc; (void)a; (void)rsa; (void)csa; (void)b; (void)rsb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
  abort();
}

void tt_pack_transposed_b_avx2(
  ptrdiff_t kc, ptrdiff_t nr, const float *b, ptrdiff_t ldb, float *dst) {
  (void)kc; (void)nr; (void)b; (void)ldb; (void)dst;
  abort();
}

float tt_fma_peak_loop_avx2(long iterations) {
  (void)iterations;
  abort();
}

#endif
