// One AVX-512 e^x shared by the kernels that need it (masked softmax, exact GELU, the thin
// inference kernel's softmax). Internal to the CKernels target: not part of its public headers.
#ifndef TT_VECTOR_EXP_H
#define TT_VECTOR_EXP_H

#if defined(__x86_64__)
#include <immintrin.h>

// e^x with Cephes' expf polynomial after a two-constant Cody-Waite reduction (about 1 ulp);
// vscalefps applies 2^n, underflowing gracefully to denormals and zero.
static inline __attribute__((target("avx512f,avx2,fma"), always_inline)) __m512 tt_exp512(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.7228f)), _mm512_set1_ps(-104.0f));
  __m512 n = _mm512_roundscale_ps(
    _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

#endif
#endif
