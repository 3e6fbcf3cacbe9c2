// AVX-512 elementwise kernels of the BERT encoder (see include/TransformerKernels.h). Compiled with
// the target attribute so the rest of the package keeps the baseline ISA; Swift calls them only
// after tt_cpu_has_avx512_transformer() said yes.

#include "TransformerKernels.h"

#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#include "VectorExp.h"

#include "CKernels.h"

int tt_cpu_has_avx512_transformer(void) {
  if (!tt_cpu_has_avx512f()) return 0;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  const unsigned dq = 1u << 17, bw = 1u << 30, vl = 1u << 31;
  return (ebx & (dq | bw | vl)) == (dq | bw | vl);
}

#define TT_T512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

static inline TT_T512 __mmask16 tt_tail(ptrdiff_t left) {
  return (__mmask16)(left >= 16 ? 0xFFFF : (1u << left) - 1);
}


// Phi(x) and phi(x) (the standard normal CDF and density). erfc(z), z = |x|/sqrt 2, is Numerical
// Recipes' Chebyshev fit t * exp(-z^2 + P(t)), t = 1/(1 + z/2), fractional error below 1.2e-7 for
// every z >= 0. -z^2 = -x^2/2 is split into x*x and its FMA rounding error, so exp(-z^2) stays
// accurate where z^2 is large.
static inline TT_T512 void tt_normal512(__m512 x, __m512 *cdf, __m512 *pdf) {
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
  __m512 ax = _mm512_abs_ps(x);
  __m512 z = _mm512_mul_ps(ax, _mm512_set1_ps(0.70710678118654752f));
  __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(half, z, one));
  __m512 p = _mm512_set1_ps(0.17087277f);
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.82215223f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.48851587f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.13520398f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.27886807f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.18628806f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.09678418f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.37409196f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.00002368f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.26551223f));
  __m512 square = _mm512_mul_ps(ax, ax);
  __m512 squareError = _mm512_fmsub_ps(ax, ax, square);
  // exp(-x^2/2) = exp(-square/2) * exp(-squareError/2), the second factor to first order.
  __m512 gauss = _mm512_mul_ps(
    tt_exp512(_mm512_mul_ps(square, _mm512_set1_ps(-0.5f))), _mm512_fnmadd_ps(half, squareError, one));
  __m512 erfc = _mm512_mul_ps(_mm512_mul_ps(t, gauss), tt_exp512(p));
  __m512 tailHalf = _mm512_mul_ps(half, erfc);  // Phi(-|x|)
  __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  *cdf = _mm512_mask_blend_ps(negative, _mm512_sub_ps(one, tailHalf), tailHalf);
  *pdf = _mm512_mul_ps(gauss, _mm512_set1_ps(0.39894228040143268f));
}

TT_T512 void tt_gelu_forward_avx512(ptrdiff_t n, const float *x, float *y) {
  for (ptrdiff_t i = 0; i < n; i += 16) {
    __mmask16 m = tt_tail(n - i);
    __m512 v = _mm512_maskz_loadu_ps(m, x + i), cdf, pdf;
    tt_normal512(v, &cdf, &pdf);
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(v, cdf));
  }
}

TT_T512 void tt_gelu_backward_avx512(ptrdiff_t n, const float *x, const float *dy, float *dx) {
  for (ptrdiff_t i = 0; i < n; i += 16) {
    __mmask16 m = tt_tail(n - i);
    __m512 v = _mm512_maskz_loadu_ps(m, x + i), cdf, pdf;
    tt_normal512(v, &cdf, &pdf);
    __m512 g = _mm512_maskz_loadu_ps(m, dy + i);
    _mm512_mask_storeu_ps(dx + i, m, _mm512_mul_ps(g, _mm512_fmadd_ps(v, pdf, cdf)));
  }
}

static inline TT_T512 float tt_sum512(__m512 v) { return _mm512_reduce_add_ps(v); }

TT_T512 void tt_masked_softmax_avx512(ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, float *s) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float *row = s + r * stride;
    __m512 largest = _mm512_set1_ps(-INFINITY);
    for (ptrdiff_t j = 0; j < valid; j += 16) {
      __mmask16 m = tt_tail(valid - j);
      largest = _mm512_mask_max_ps(largest, m, largest, _mm512_maskz_loadu_ps(m, row + j));
    }
    const __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
    __m512 total = _mm512_setzero_ps();
    for (ptrdiff_t j = 0; j < valid; j += 16) {
      __mmask16 m = tt_tail(valid - j);
      __m512 e = _mm512_maskz_mov_ps(m, tt_exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), top)));
      total = _mm512_add_ps(total, e);
      _mm512_mask_storeu_ps(row + j, m, e);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / tt_sum512(total));
    for (ptrdiff_t j = 0; j < valid; j += 16) {
      __mmask16 m = tt_tail(valid - j);
      _mm512_mask_storeu_ps(row + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), inverse));
    }
    for (ptrdiff_t j = valid; j < stride; j++) row[j] = 0.0f;
  }
}

// Sixteen SplitMix64 draws in two registers of eight 64-bit lanes, as sixteen calls of next()
// starting from `state` would give them.
static inline TT_T512 __mmask16 tt_keep16(uint64_t state, __m512i threshold) {
  const uint64_t golden = 0x9E3779B97F4A7C15ull;
  const __m512i steps = _mm512_set_epi64(8, 7, 6, 5, 4, 3, 2, 1);
  const __m512i m1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull);
  const __m512i m2 = _mm512_set1_epi64((long long)0x94D049BB133111EBull);
  __mmask16 keep = 0;
  for (int half = 0; half < 2; half++) {
    __m512i z = _mm512_add_epi64(
      _mm512_set1_epi64((long long)(state + (uint64_t)(8 * half) * golden)),
      _mm512_mullo_epi64(steps, _mm512_set1_epi64((long long)golden)));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), m1);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), m2);
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    __mmask8 k = _mm512_cmpge_epu64_mask(_mm512_srli_epi64(z, 40), threshold);
    keep |= (__mmask16)((unsigned)k << (8 * half));
  }
  return keep;
}

TT_T512 uint64_t tt_dropout_forward_avx512(
  ptrdiff_t n, const float *x, float *y, uint8_t *mask, uint64_t state, uint64_t threshold, float scale) {
  const uint64_t golden = 0x9E3779B97F4A7C15ull;
  const __m512i vthreshold = _mm512_set1_epi64((long long)threshold);
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m128i ones = _mm_set1_epi8(1);
  for (ptrdiff_t i = 0; i < n; i += 16) {
    __mmask16 m = tt_tail(n - i);
    __mmask16 keep = tt_keep16(state, vthreshold) & m;
    _mm512_mask_storeu_ps(y + i, m, _mm512_maskz_mul_ps(keep, _mm512_maskz_loadu_ps(m, x + i), vscale));
    _mm_mask_storeu_epi8(mask + i, m, _mm_maskz_mov_epi8(keep, ones));
    state += (uint64_t)(n - i >= 16 ? 16 : n - i) * golden;
  }
  return state;
}

TT_T512 void tt_dropout_apply_avx512(ptrdiff_t n, const float *dy, const uint8_t *mask, float scale, float *dx) {
  const __m512 vscale = _mm512_set1_ps(scale);
  for (ptrdiff_t i = 0; i < n; i += 16) {
    __mmask16 m = tt_tail(n - i);
    __mmask16 keep = _mm_mask_test_epi8_mask(m, _mm_maskz_loadu_epi8(m, mask + i), _mm_set1_epi8(-1));
    _mm512_mask_storeu_ps(dx + i, m, _mm512_maskz_mul_ps(keep, _mm512_maskz_loadu_ps(m, dy + i), vscale));
  }
}

TT_T512 void tt_layer_norm_forward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *x, const float *gamma, const float *beta, float eps,
  float *xhat, float *rstd, float *y) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *xh = xhat + r * n, *yr = y + r * n;
    __m512 sum = _mm512_setzero_ps();
    for (ptrdiff_t j = 0; j < n; j += 16) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tt_tail(n - j), xr + j));
    const float mean = tt_sum512(sum) / (float)n;
    const __m512 vmean = _mm512_set1_ps(mean);
    __m512 squares = _mm512_setzero_ps();
    for (ptrdiff_t j = 0; j < n; j += 16) {
      __mmask16 m = tt_tail(n - j);
      __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, xr + j), vmean);
      squares = _mm512_fmadd_ps(d, d, squares);
    }
    const float inverse = 1.0f / sqrtf(tt_sum512(squares) / (float)n + eps);
    rstd[r] = inverse;
    const __m512 vr = _mm512_set1_ps(inverse);
    for (ptrdiff_t j = 0; j < n; j += 16) {
      __mmask16 m = tt_tail(n - j);
      __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, xr + j), vmean), vr);
      _mm512_mask_storeu_ps(xh + j, m, v);
      _mm512_mask_storeu_ps(
        yr + j, m, _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(m, gamma + j), _mm512_maskz_loadu_ps(m, beta + j)));
    }
  }
}

TT_T512 void tt_layer_norm_backward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *dy, const float *xhat, const float *rstd, const float *gamma,
  float *dgamma, float *dbeta, float *dx) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *g = dy + r * n, *xh = xhat + r * n;
    float *out = dx + r * n;
    __m512 scaled = _mm512_setzero_ps(), scaledNormalized = _mm512_setzero_ps();
    for (ptrdiff_t j = 0; j < n; j += 16) {
      __mmask16 m = tt_tail(n - j);
      __m512 gj = _mm512_maskz_loadu_ps(m, g + j), xj = _mm512_maskz_loadu_ps(m, xh + j);
      if (dgamma != NULL) {
        _mm512_mask_storeu_ps(dgamma + j, m, _mm512_fmadd_ps(gj, xj, _mm512_maskz_loadu_ps(m, dgamma + j)));
        _mm512_mask_storeu_ps(dbeta + j, m, _mm512_add_ps(gj, _mm512_maskz_loadu_ps(m, dbeta + j)));
      }
      __m512 s = _mm512_mul_ps(gj, _mm512_maskz_loadu_ps(m, gamma + j));
      scaled = _mm512_add_ps(scaled, s);
      scaledNormalized = _mm512_fmadd_ps(s, xj, scaledNormalized);
    }
    const __m512 meanScaled = _mm512_set1_ps(tt_sum512(scaled) / (float)n);
    const __m512 meanScaledNormalized = _mm512_set1_ps(tt_sum512(scaledNormalized) / (float)n);
    const __m512 vr = _mm512_set1_ps(rstd[r]);
    for (ptrdiff_t j = 0; j < n; j += 16) {
      __mmask16 m = tt_tail(n - j);
      __m512 gj = _mm512_maskz_loadu_ps(m, g + j), xj = _mm512_maskz_loadu_ps(m, xh + j);
      __m512 s = _mm512_mul_ps(gj, _mm512_maskz_loadu_ps(m, gamma + j));
      __m512 v = _mm512_fnmadd_ps(xj, meanScaledNormalized, _mm512_sub_ps(s, meanScaled));
      _mm512_mask_storeu_ps(out + j, m, _mm512_mul_ps(vr, v));
    }
  }
}

TT_T512 void tt_softmax_backward_avx512(
  ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, const float *p, float *d) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    const float *pr = p + r * stride;
    float *row = d + r * stride;
    __m512 dot = _mm512_setzero_ps();
    for (ptrdiff_t j = 0; j < valid; j += 16) {
      __mmask16 m = tt_tail(valid - j);
      dot = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, row + j), _mm512_maskz_loadu_ps(m, pr + j), dot);
    }
    const __m512 vdot = _mm512_set1_ps(tt_sum512(dot));
    for (ptrdiff_t j = 0; j < valid; j += 16) {
      __mmask16 m = tt_tail(valid - j);
      __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, pr + j), _mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), vdot));
      _mm512_mask_storeu_ps(row + j, m, v);
    }
  }
}

TT_T512 void tt_add_avx512(ptrdiff_t n, const float *x, float *y) {
  for (ptrdiff_t i = 0; i < n; i += 16) {
    __mmask16 m = tt_tail(n - i);
    _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i), _mm512_maskz_loadu_ps(m, x + i)));
  }
}

#else

// Never called where tt_cpu_has_avx512_transformer() is 0; they exist so Swift links everywhere.
int tt_cpu_has_avx512_transformer(void) { return 0; }
void tt_gelu_forward_avx512(ptrdiff_t n, const float *x, float *y) { (void)n; (void)x; (void)y; abort(); }
void tt_gelu_backward_avx512(ptrdiff_t n, const float *x, const float *dy, float *dx) {
  (void)n; (void)x; (void)dy; (void)dx; abort();
}
void tt_masked_softmax_avx512(ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, float *s) {
  (void)rows; (void)valid; (void)stride; (void)s; abort();
}
uint64_t tt_dropout_forward_avx512(
  ptrdiff_t n, const float *x, float *y, uint8_t *mask, uint64_t state, uint64_t threshold, float scale) {
  (void)n; (void)x; (void)y; (void)mask; (void)state; (void)threshold; (void)scale; abort();
}
void tt_dropout_apply_avx512(ptrdiff_t n, const float *dy, const uint8_t *mask, float scale, float *dx) {
  (void)n; (void)dy; (void)mask; (void)scale; (void)dx; abort();
}
void tt_layer_norm_forward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *x, const float *gamma, const float *beta, float eps,
  float *xhat, float *rstd, float *y) {
  (void)rows; (void)n; (void)x; (void)gamma; (void)beta; (void)eps; (void)xhat; (void)rstd; (void)y; abort();
}
void tt_layer_norm_backward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *dy, const float *xhat, const float *rstd, const float *gamma,
  float *dgamma, float *dbeta, float *dx) {
  (void)rows; (void)n; (void)dy; (void)xhat; (void)rstd; (void)gamma; (void)dgamma; (void)dbeta; (void)dx; abort();
}
void tt_softmax_backward_avx512(ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, const float *p, float *d) {
  (void)rows; (void)valid; (void)stride; (void)p; (void)d; abort();
}
void tt_add_avx512(ptrdiff_t n, const float *x, float *y) { (void)n; (void)x; (void)y; abort(); }

#endif
