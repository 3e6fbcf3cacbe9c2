// The AVX-512 6x32 micro-kernel. The 6x16 kernel issues seven loads (one B vector, six A
// broadcasts) per six FMAs, so the two load ports, not the two FMA ports, bound it; reading two
// B slivers per A broadcast makes it eight loads per twelve FMAs. Twelve accumulators are also
// enough independent chains to cover the FMA latency without splitting even and odd k steps.

#include "GEMMWide.h"

#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define TT_WIDE_AVX512 __attribute__((target("avx512f,avx2,fma")))

TT_WIDE_AVX512 void tt_sgemm_kernel_6x32_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b0, const float *b1,
  float *c, ptrdiff_t ldc, float alpha, float beta, const float *bias, ptrdiff_t mr, ptrdiff_t nr) {
  // Rows past mr repeat the last real row: their results are discarded, and A read in place has
  // no padding rows.
  const float *a0 = a, *a1 = a + (mr > 1 ? 1 : 0) * rsa, *a2 = a + (mr > 2 ? 2 : mr - 1) * rsa;
  const float *a3 = a + (mr > 3 ? 3 : mr - 1) * rsa, *a4 = a + (mr > 4 ? 4 : mr - 1) * rsa;
  const float *a5 = a + (mr > 5 ? 5 : mr - 1) * rsa;
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps();
  __m512 c11 = _mm512_setzero_ps(), c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps(), c40 = _mm512_setzero_ps();
  __m512 c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  const int accumulates_in_place = beta == 1.0f && alpha == 1.0f && bias == NULL && mr == 6 && nr == 32;
  if (accumulates_in_place) {
    c00 = _mm512_loadu_ps(c + 0 * ldc), c01 = _mm512_loadu_ps(c + 0 * ldc + 16);
    c10 = _mm512_loadu_ps(c + 1 * ldc), c11 = _mm512_loadu_ps(c + 1 * ldc + 16);
    c20 = _mm512_loadu_ps(c + 2 * ldc), c21 = _mm512_loadu_ps(c + 2 * ldc + 16);
    c30 = _mm512_loadu_ps(c + 3 * ldc), c31 = _mm512_loadu_ps(c + 3 * ldc + 16);
    c40 = _mm512_loadu_ps(c + 4 * ldc), c41 = _mm512_loadu_ps(c + 4 * ldc + 16);
    c50 = _mm512_loadu_ps(c + 5 * ldc), c51 = _mm512_loadu_ps(c + 5 * ldc + 16);
  } else {
    for (ptrdiff_t i = 0; i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
  }
#define TT_STEP32(A0, A1, A2, A3, A4, A5, P)                               \
  do {                                                                     \
    __m512 x0 = _mm512_loadu_ps(b0 + (P) * 16);                            \
    __m512 x1 = _mm512_loadu_ps(b1 + (P) * 16);                            \
    __m512 v = _mm512_set1_ps(*(A0));                                      \
    c00 = _mm512_fmadd_ps(v, x0, c00), c01 = _mm512_fmadd_ps(v, x1, c01);  \
    v = _mm512_set1_ps(*(A1));                                             \
    c10 = _mm512_fmadd_ps(v, x0, c10), c11 = _mm512_fmadd_ps(v, x1, c11);  \
    v = _mm512_set1_ps(*(A2));                                             \
    c20 = _mm512_fmadd_ps(v, x0, c20), c21 = _mm512_fmadd_ps(v, x1, c21);  \
    v = _mm512_set1_ps(*(A3));                                             \
    c30 = _mm512_fmadd_ps(v, x0, c30), c31 = _mm512_fmadd_ps(v, x1, c31);  \
    v = _mm512_set1_ps(*(A4));                                             \
    c40 = _mm512_fmadd_ps(v, x0, c40), c41 = _mm512_fmadd_ps(v, x1, c41);  \
    v = _mm512_set1_ps(*(A5));                                             \
    c50 = _mm512_fmadd_ps(v, x0, c50), c51 = _mm512_fmadd_ps(v, x1, c51);  \
  } while (0)
  if (rsa == 1 && csa == 6) {
    const float *pa = a;
    ptrdiff_t p = 0;
    for (; p + 4 <= kc; p += 4, pa += 24) {
      _mm_prefetch((const char *)(pa + 96), _MM_HINT_T0);
      TT_STEP32(pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, p);
      TT_STEP32(pa + 6, pa + 7, pa + 8, pa + 9, pa + 10, pa + 11, p + 1);
      TT_STEP32(pa + 12, pa + 13, pa + 14, pa + 15, pa + 16, pa + 17, p + 2);
      TT_STEP32(pa + 18, pa + 19, pa + 20, pa + 21, pa + 22, pa + 23, p + 3);
    }
    for (; p < kc; p++, pa += 6) TT_STEP32(pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, p);
  } else {
    ptrdiff_t off = 0;
    for (ptrdiff_t p = 0; p < kc; p++, off += csa) {
      TT_STEP32(a0 + off, a1 + off, a2 + off, a3 + off, a4 + off, a5 + off, p);
    }
  }
#undef TT_STEP32
  if (accumulates_in_place) {
    _mm512_storeu_ps(c + 0 * ldc, c00), _mm512_storeu_ps(c + 0 * ldc + 16, c01);
    _mm512_storeu_ps(c + 1 * ldc, c10), _mm512_storeu_ps(c + 1 * ldc + 16, c11);
    _mm512_storeu_ps(c + 2 * ldc, c20), _mm512_storeu_ps(c + 2 * ldc + 16, c21);
    _mm512_storeu_ps(c + 3 * ldc, c30), _mm512_storeu_ps(c + 3 * ldc + 16, c31);
    _mm512_storeu_ps(c + 4 * ldc, c40), _mm512_storeu_ps(c + 4 * ldc + 16, c41);
    _mm512_storeu_ps(c + 5 * ldc, c50), _mm512_storeu_ps(c + 5 * ldc + 16, c51);
    return;
  }
  const __mmask16 mask0 = (__mmask16)(nr >= 16 ? 0xFFFF : (1u << nr) - 1);
  const __mmask16 mask1 = (__mmask16)(nr >= 32 ? 0xFFFF : nr > 16 ? (1u << (nr - 16)) - 1 : 0);
  const __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
  __m512 rows[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  // The bias epilogue: adding the row vector here spares the pass that would fill C with it first
  // and the read of that C back (a dense layer's output is megabytes, long out of cache by then).
  const __m512 bias0 = bias ? _mm512_maskz_loadu_ps(mask0, bias) : _mm512_setzero_ps();
  const __m512 bias1 = bias ? _mm512_maskz_loadu_ps(mask1, bias + 16) : _mm512_setzero_ps();
  for (ptrdiff_t i = 0; i < mr; i++) {
    for (int half = 0; half < 2; half++) {
      float *out = c + i * ldc + 16 * half;
      const __mmask16 mask = half ? mask1 : mask0;
      const __m512 acc = _mm512_fmadd_ps(rows[2 * i + half], valpha, half ? bias1 : bias0);
      __m512 v;
      if (beta == 0.0f) {
        v = acc;  // C is not read: it may hold NaN when beta is 0
      } else if (beta == 1.0f) {
        v = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(mask, out));
      } else {
        v = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(mask, out), acc);
      }
      _mm512_mask_storeu_ps(out, mask, v);
    }
  }
}

TT_WIDE_AVX512 float tt_fma_peak_loop_avx512(long iterations) {
  const __m512 m = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
  __m512 v[24];
  for (int j = 0; j < 24; j++) v[j] = _mm512_set1_ps(1.0f);
  for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 24
    for (int j = 0; j < 24; j++) v[j] = _mm512_fmadd_ps(v[j], m, add);
  }
  __m512 s = v[0];
  for (int j = 1; j < 24; j++) s = _mm512_add_ps(s, v[j]);
  return _mm512_reduce_add_ps(s);
}

#else

float tt_fma_peak_loop_avx512(long iterations) {
  (void)iterations;
  abort();
}

void tt_sgemm_kernel_6x32_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b0, const float *b1,
  float *c, ptrdiff_t ldc, float alpha, float beta, const float *bias, ptrdiff_t mr, ptrdiff_t nr) {
  (void)bias; (void)kc; (void)a; (void)rsa; (void)csa; (void)b0; (void)b1; (void)c; (void)ldc; (void)alpha;
  (void)beta; (void)mr; (void)nr;
  abort();
}

#endif
