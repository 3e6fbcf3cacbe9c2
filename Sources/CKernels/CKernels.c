// AVX2+FMA kernels for the tunetop GEMM.
//
// Why C: SwiftPM cannot give a single Swift function its own target features, and building the whole
// package with -target-cpu would make the binary crash (SIGILL) on CPUs without AVX2. Without AVX2
// enabled the Swift SIMD8 fused multiply-add lowers to scalar fmaf calls (~100x slower). A C function
// with __attribute__((target("avx2,fma"))) is compiled with those instructions while the rest of
// the package keeps the baseline ISA; Swift calls it only after tt_cpu_has_avx2_fma() said yes.
// On other architectures this file compiles to stubs and the portable Swift kernel is used.

#include "CKernels.h"

#include <pthread.h>
#include <stdlib.h>

// ---- Per-thread scratch (all architectures) -----------------------------------------------------

static pthread_key_t tt_scratch_key;
static pthread_once_t tt_scratch_once = PTHREAD_ONCE_INIT;

struct tt_scratch {
  float *data;
  size_t capacity;
};

static void tt_scratch_free(void *value) {
  struct tt_scratch *scratch = value;
  free(scratch->data);
  free(scratch);
}

static void tt_scratch_make_key(void) { pthread_key_create(&tt_scratch_key, tt_scratch_free); }

float *tt_thread_scratch(size_t count) {
  pthread_once(&tt_scratch_once, tt_scratch_make_key);
  struct tt_scratch *scratch = pthread_getspecific(tt_scratch_key);
  if (scratch == NULL) {
    scratch = calloc(1, sizeof *scratch);
    if (scratch == NULL) abort();
    pthread_setspecific(tt_scratch_key, scratch);
  }
  if (scratch->capacity < count) {
    free(scratch->data);
    // Grow geometrically so a run of slowly increasing sizes does not reallocate every call.
    size_t capacity = count < 2 * scratch->capacity ? 2 * scratch->capacity : count;
    void *data = NULL;
    if (posix_memalign(&data, 64, (capacity > 0 ? capacity : 1) * sizeof(float)) != 0) abort();
    scratch->data = data;
    scratch->capacity = capacity;
  }
  return scratch->data;
}

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


int tt_cpu_has_avx512f(void) {
  if (!tt_cpu_has_avx2_fma()) return 0;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  if ((ebx & (1u << 16)) == 0) return 0;
  // The OS must save the opmask and ZMM state (XCR0 bits 5, 6 and 7) besides XMM/YMM.
  unsigned xcr0_lo, xcr0_hi;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  return (xcr0_lo & 0xE6) == 0xE6;
}

#define TT_AVX512 __attribute__((target("avx512f,avx2,fma")))

TT_AVX512 void tt_sgemm_kernel_6x16_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
  const float *a0 = a, *a1 = a + (mr > 1 ? 1 : 0) * rsa, *a2 = a + (mr > 2 ? 2 : mr - 1) * rsa;
  const float *a3 = a + (mr > 3 ? 3 : mr - 1) * rsa, *a4 = a + (mr > 4 ? 4 : mr - 1) * rsa;
  const float *a5 = a + (mr > 5 ? 5 : mr - 1) * rsa;
  // One ZMM holds a whole 16-wide tile row, so six accumulators cover the tile; FMA latency (4
  // cycles, two ports) needs eight chains in flight, so even and odd steps of k accumulate into
  // separate sets (twelve chains) that are added at the end.
  __m512 e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps(), e2 = _mm512_setzero_ps();
  __m512 e3 = _mm512_setzero_ps(), e4 = _mm512_setzero_ps(), e5 = _mm512_setzero_ps();
  __m512 o0 = _mm512_setzero_ps(), o1 = _mm512_setzero_ps(), o2 = _mm512_setzero_ps();
  __m512 o3 = _mm512_setzero_ps(), o4 = _mm512_setzero_ps(), o5 = _mm512_setzero_ps();
  const int accumulates_in_place = beta == 1.0f && alpha == 1.0f && mr == TT_MR && nr == TT_NR;
  if (accumulates_in_place) {
    e0 = _mm512_loadu_ps(c + 0 * ldc), e1 = _mm512_loadu_ps(c + 1 * ldc), e2 = _mm512_loadu_ps(c + 2 * ldc);
    e3 = _mm512_loadu_ps(c + 3 * ldc), e4 = _mm512_loadu_ps(c + 4 * ldc), e5 = _mm512_loadu_ps(c + 5 * ldc);
  } else {
    for (ptrdiff_t i = 0; i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
  }
#define TT_STEP512(S, A0, A1, A2, A3, A4, A5, B)                      \
  do {                                                                \
    __m512 bv = _mm512_loadu_ps(B);                                   \
    S##0 = _mm512_fmadd_ps(_mm512_set1_ps(*(A0)), bv, S##0);          \
    S##1 = _mm512_fmadd_ps(_mm512_set1_ps(*(A1)), bv, S##1);          \
    S##2 = _mm512_fmadd_ps(_mm512_set1_ps(*(A2)), bv, S##2);          \
    S##3 = _mm512_fmadd_ps(_mm512_set1_ps(*(A3)), bv, S##3);          \
    S##4 = _mm512_fmadd_ps(_mm512_set1_ps(*(A4)), bv, S##4);          \
    S##5 = _mm512_fmadd_ps(_mm512_set1_ps(*(A5)), bv, S##5);          \
  } while (0)
  if (rsa == 1 && csa == TT_MR && rsb == TT_NR) {
    const float *pa = a, *pb = b;
    ptrdiff_t p = 0;
    for (; p + 4 <= kc; p += 4, pa += 4 * TT_MR, pb += 4 * TT_NR) {
      _mm_prefetch((const char *)(pa + 16 * TT_MR), _MM_HINT_T0);
      _mm_prefetch((const char *)(pa + 16 * TT_MR + 16), _MM_HINT_T0);
      TT_STEP512(e, pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, pb);
      TT_STEP512(o, pa + 6, pa + 7, pa + 8, pa + 9, pa + 10, pa + 11, pb + 16);
      TT_STEP512(e, pa + 12, pa + 13, pa + 14, pa + 15, pa + 16, pa + 17, pb + 32);
      TT_STEP512(o, pa + 18, pa + 19, pa + 20, pa + 21, pa + 22, pa + 23, pb + 48);
    }
    for (; p < kc; p++, pa += TT_MR, pb += TT_NR) TT_STEP512(e, pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, pb);
  } else {
    ptrdiff_t off = 0, p = 0;
    for (; p + 2 <= kc; p += 2, off += 2 * csa, b += 2 * rsb) {
      _mm_prefetch((const char *)(a0 + off + 16 * csa), _MM_HINT_T0);
      TT_STEP512(e, a0 + off, a1 + off, a2 + off, a3 + off, a4 + off, a5 + off, b);
      TT_STEP512(
        o, a0 + off + csa, a1 + off + csa, a2 + off + csa, a3 + off + csa, a4 + off + csa, a5 + off + csa,
        b + rsb);
    }
    if (p < kc) TT_STEP512(e, a0 + off, a1 + off, a2 + off, a3 + off, a4 + off, a5 + off, b);
  }
#undef TT_STEP512
  e0 = _mm512_add_ps(e0, o0), e1 = _mm512_add_ps(e1, o1), e2 = _mm512_add_ps(e2, o2);
  e3 = _mm512_add_ps(e3, o3), e4 = _mm512_add_ps(e4, o4), e5 = _mm512_add_ps(e5, o5);
  if (accumulates_in_place) {
    _mm512_storeu_ps(c + 0 * ldc, e0), _mm512_storeu_ps(c + 1 * ldc, e1), _mm512_storeu_ps(c + 2 * ldc, e2);
    _mm512_storeu_ps(c + 3 * ldc, e3), _mm512_storeu_ps(c + 4 * ldc, e4), _mm512_storeu_ps(c + 5 * ldc, e5);
    return;
  }
  // A narrow edge tile touches only its nr columns: masked loads and stores never fault or write
  // past them.
  const __mmask16 mask = (__mmask16)(nr >= TT_NR ? 0xFFFF : (1u << nr) - 1);
  const __m512 valpha = _mm512_set1_ps(alpha), vbeta = _mm512_set1_ps(beta);
  __m512 rows[TT_MR] = {e0, e1, e2, e3, e4, e5};
  for (ptrdiff_t i = 0; i < mr; i++) {
    float *row = c + i * ldc;
    __m512 v;
    if (beta == 0.0f) {
      v = _mm512_mul_ps(rows[i], valpha);  // C is not read: it may hold NaN when beta is 0
    } else if (beta == 1.0f) {
      v = _mm512_fmadd_ps(rows[i], valpha, _mm512_maskz_loadu_ps(mask, row));
    } else {
      v = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(mask, row), _mm512_mul_ps(rows[i], valpha));
    }
    _mm512_mask_storeu_ps(row, mask, v);
  }
}

#define TT_AVX2 __attribute__((target("avx2,fma")))

TT_AVX2 static inline void tt_store_row(
  float *c, __m256 lo, __m256 hi, __m256 alpha, float beta) {
  if (beta == 0.0f) {
    // Overwrite without reading: C may hold NaN or garbage when beta is 0.
    lo = _mm256_mul_ps(lo, alpha);
    hi = _mm256_mul_ps(hi, alpha);
  } else if (beta == 1.0f) {
    // Accumulation (dW += dYᵀ·X, later KC slices): one FMA per vector instead of a multiply and
    // an add, 12 fewer instructions per tile where a k-64 tile has only ~800.
    lo = _mm256_fmadd_ps(lo, alpha, _mm256_loadu_ps(c));
    hi = _mm256_fmadd_ps(hi, alpha, _mm256_loadu_ps(c + 8));
  } else {
    lo = _mm256_mul_ps(lo, alpha);
    hi = _mm256_mul_ps(hi, alpha);
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
  // Plain accumulation into a full tile (dW += dYᵀ·X, later KC slices): start the accumulators
  // from C, so the end is twelve stores with no load, multiply or add.
  const int accumulates_in_place = beta == 1.0f && alpha == 1.0f && mr == TT_MR && nr == TT_NR;
  if (accumulates_in_place) {
    c00 = _mm256_loadu_ps(c + 0 * ldc), c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
    c10 = _mm256_loadu_ps(c + 1 * ldc), c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
    c20 = _mm256_loadu_ps(c + 2 * ldc), c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
    c30 = _mm256_loadu_ps(c + 3 * ldc), c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
    c40 = _mm256_loadu_ps(c + 4 * ldc), c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
    c50 = _mm256_loadu_ps(c + 5 * ldc), c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
  } else {
    // The C tile is needed at the end; start fetching it now so the store does not wait on memory.
    for (ptrdiff_t i = 0; i < mr; i++) _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
  }
  // One step of k: two B vectors times six broadcast A values into the twelve accumulators.
#define TT_STEP(A0, A1, A2, A3, A4, A5, B)                                    \
  do {                                                                        \
    __m256 b0 = _mm256_loadu_ps(B), b1 = _mm256_loadu_ps((B) + 8), x;         \
    x = _mm256_broadcast_ss(A0);                                              \
    c00 = _mm256_fmadd_ps(x, b0, c00);                                        \
    c01 = _mm256_fmadd_ps(x, b1, c01);                                        \
    x = _mm256_broadcast_ss(A1);                                              \
    c10 = _mm256_fmadd_ps(x, b0, c10);                                        \
    c11 = _mm256_fmadd_ps(x, b1, c11);                                        \
    x = _mm256_broadcast_ss(A2);                                              \
    c20 = _mm256_fmadd_ps(x, b0, c20);                                        \
    c21 = _mm256_fmadd_ps(x, b1, c21);                                        \
    x = _mm256_broadcast_ss(A3);                                              \
    c30 = _mm256_fmadd_ps(x, b0, c30);                                        \
    c31 = _mm256_fmadd_ps(x, b1, c31);                                        \
    x = _mm256_broadcast_ss(A4);                                              \
    c40 = _mm256_fmadd_ps(x, b0, c40);                                        \
    c41 = _mm256_fmadd_ps(x, b1, c41);                                        \
    x = _mm256_broadcast_ss(A5);                                              \
    c50 = _mm256_fmadd_ps(x, b0, c50);                                        \
    c51 = _mm256_fmadd_ps(x, b1, c51);                                        \
  } while (0)
  if (rsa == 1 && csa == TT_MR && rsb == TT_NR) {
    // Both slivers packed: constant strides let every address be a fixed offset from two
    // pointers, and unrolling by four leaves one prefetch pair and one loop test per 48 FMAs
    // (the generic loop spends ~8 of its ~25 instructions per step on bookkeeping, and the
    // front end, not the FMA units, was the limit).
    const float *pa = a, *pb = b;
    ptrdiff_t p = 0;
    for (; p + 4 <= kc; p += 4, pa += 4 * TT_MR, pb += 4 * TT_NR) {
      // A streams from L2 in large products: fetch 16 steps (384 bytes) ahead.
      _mm_prefetch((const char *)(pa + 16 * TT_MR), _MM_HINT_T0);
      _mm_prefetch((const char *)(pa + 16 * TT_MR + 16), _MM_HINT_T0);
      TT_STEP(pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, pb);
      TT_STEP(pa + 6, pa + 7, pa + 8, pa + 9, pa + 10, pa + 11, pb + 16);
      TT_STEP(pa + 12, pa + 13, pa + 14, pa + 15, pa + 16, pa + 17, pb + 32);
      TT_STEP(pa + 18, pa + 19, pa + 20, pa + 21, pa + 22, pa + 23, pb + 48);
    }
    for (; p < kc; p++, pa += TT_MR, pb += TT_NR) TT_STEP(pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5, pb);
  } else {
    ptrdiff_t off = 0;
    for (ptrdiff_t p = 0; p < kc; p++, off += csa, b += rsb) {
      // A streams from L2 in large products: fetch ~16 steps ahead (packed A advances 24 bytes per
      // step). Measured at 1024^3: ~0.85 -> ~0.95 of OpenBLAS; neutral on training shapes.
      _mm_prefetch((const char *)(a0 + off + 16 * csa), _MM_HINT_T0);
      TT_STEP(a0 + off, a1 + off, a2 + off, a3 + off, a4 + off, a5 + off, b);
    }
  }
#undef TT_STEP
  if (accumulates_in_place) {
    _mm256_storeu_ps(c + 0 * ldc, c00), _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10), _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20), _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30), _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40), _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50), _mm256_storeu_ps(c + 5 * ldc + 8, c51);
    return;
  }
  __m256 valpha = _mm256_set1_ps(alpha);
  if (nr == TT_NR) {
    // Full-width tiles store their mr rows directly, short ones included (m = 256 leaves a 4-row
    // tile per column sliver), instead of going through the scratch tile below.
    tt_store_row(c + 0 * ldc, c00, c01, valpha, beta);
    if (mr > 1) tt_store_row(c + 1 * ldc, c10, c11, valpha, beta);
    if (mr > 2) tt_store_row(c + 2 * ldc, c20, c21, valpha, beta);
    if (mr > 3) tt_store_row(c + 3 * ldc, c30, c31, valpha, beta);
    if (mr > 4) tt_store_row(c + 4 * ldc, c40, c41, valpha, beta);
    if (mr > 5) tt_store_row(c + 5 * ldc, c50, c51, valpha, beta);
    return;
  }
  // Narrow edge tile: go through a scratch tile so nothing outside the mr x nr block is touched.
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

TT_AVX2 void tt_pack_a6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst) {
  const float *r0 = a, *r1 = a + lda, *r2 = a + 2 * lda, *r3 = a + 3 * lda, *r4 = a + 4 * lda;
  const float *r5 = a + 5 * lda;
  const __m256 zero = _mm256_setzero_ps();
  ptrdiff_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    // An 8x8 transpose of the six rows (plus two zero rows): output j holds column p + j.
    __m256 x0 = _mm256_loadu_ps(r0 + p), x1 = _mm256_loadu_ps(r1 + p);
    __m256 x2 = _mm256_loadu_ps(r2 + p), x3 = _mm256_loadu_ps(r3 + p);
    __m256 x4 = _mm256_loadu_ps(r4 + p), x5 = _mm256_loadu_ps(r5 + p);
    __m256 t0 = _mm256_unpacklo_ps(x0, x1), t1 = _mm256_unpackhi_ps(x0, x1);
    __m256 t2 = _mm256_unpacklo_ps(x2, x3), t3 = _mm256_unpackhi_ps(x2, x3);
    __m256 t4 = _mm256_unpacklo_ps(x4, x5), t5 = _mm256_unpackhi_ps(x4, x5);
    __m256 t6 = _mm256_unpacklo_ps(zero, zero), t7 = t6;
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 o[8] = {
      _mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
      _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
      _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
      _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31),
    };
    float *d = dst + p * TT_MR;
    for (int j = 0; j < 8; j++) {
      // Six values per column: four, then two, so nothing past the sliver is written.
      _mm_storeu_ps(d + j * TT_MR, _mm256_castps256_ps128(o[j]));
      _mm_storel_pi((__m64 *)(d + j * TT_MR + 4), _mm256_extractf128_ps(o[j], 1));
    }
  }
  for (; p < kc; p++) {
    float *d = dst + p * TT_MR;
    d[0] = r0[p];
    d[1] = r1[p];
    d[2] = r2[p];
    d[3] = r3[p];
    d[4] = r4[p];
    d[5] = r5[p];
  }
}

TT_AVX2 void tt_pack_at6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst) {
  for (ptrdiff_t p = 0; p < kc; p++, a += lda, dst += TT_MR) {
    _mm_storeu_ps(dst, _mm_loadu_ps(a));
    _mm_storel_pi((__m64 *)(dst + 4), _mm_castpd_ps(_mm_load_sd((const double *)(a + 4))));
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

// ---- Elementwise kernels ------------------------------------------------------------------------

// No a*b+c -> fma contraction in the scalar tails: they must round like the portable Swift loops.
#pragma STDC FP_CONTRACT OFF

TT_AVX2 void tt_adam_update_avx2(
  ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1, float beta2,
  float decoupled_decay, float coupled_decay, float step_size, float inverse_correction2_root, float eps) {
  const __m256 vb1 = _mm256_set1_ps(beta1), vb2 = _mm256_set1_ps(beta2);
  const __m256 vc1 = _mm256_set1_ps(1.0f - beta1), vc2 = _mm256_set1_ps(1.0f - beta2);
  const __m256 vdd = _mm256_set1_ps(decoupled_decay), vcd = _mm256_set1_ps(coupled_decay);
  const __m256 vstep = _mm256_set1_ps(step_size), vroot = _mm256_set1_ps(inverse_correction2_root);
  const __m256 veps = _mm256_set1_ps(eps);
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 pi = _mm256_loadu_ps(p + i), gi = _mm256_loadu_ps(g + i);
    __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
    pi = _mm256_sub_ps(pi, _mm256_mul_ps(vdd, pi));
    gi = _mm256_add_ps(gi, _mm256_mul_ps(vcd, pi));
    mi = _mm256_add_ps(_mm256_mul_ps(vb1, mi), _mm256_mul_ps(vc1, gi));
    vi = _mm256_add_ps(_mm256_mul_ps(vb2, vi), _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
    __m256 denominator = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), vroot), veps);
    pi = _mm256_sub_ps(pi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denominator));
    _mm256_storeu_ps(p + i, pi);
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
  }
  for (; i < n; i++) {
    float pi = p[i], gi = g[i];
    pi = pi - decoupled_decay * pi;
    gi = gi + coupled_decay * pi;
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + ((1.0f - beta2) * gi) * gi;
    float denominator = __builtin_sqrtf(vi) * inverse_correction2_root + eps;
    p[i] = pi - (step_size * mi) / denominator;
    m[i] = mi;
    v[i] = vi;
  }
}

TT_AVX2 double tt_sum_squares_avx2(ptrdiff_t n, const float *x) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  __m256d s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    __m256d a0 = _mm256_cvtps_pd(_mm256_castps256_ps128(a));
    __m256d a1 = _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1));
    __m256d b0 = _mm256_cvtps_pd(_mm256_castps256_ps128(b));
    __m256d b1 = _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1));
    s0 = _mm256_fmadd_pd(a0, a0, s0);
    s1 = _mm256_fmadd_pd(a1, a1, s1);
    s2 = _mm256_fmadd_pd(b0, b0, s2);
    s3 = _mm256_fmadd_pd(b1, b1, s3);
  }
  __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
  double lanes[4];
  _mm256_storeu_pd(lanes, s);
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; i++) sum += (double)x[i] * (double)x[i];
  return sum;
}

TT_AVX2 void tt_scale_avx2(ptrdiff_t n, float *x, float s) {
  const __m256 vs = _mm256_set1_ps(s);
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
  for (; i < n; i++) x[i] *= s;
}

TT_AVX2 void tt_relu_forward_avx2(ptrdiff_t n, const float *x, float *y) {
  const __m256 zero = _mm256_setzero_ps();
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_max_ps(_mm256_loadu_ps(x + i), zero));
  for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

TT_AVX2 void tt_relu_backward_avx2(ptrdiff_t n, const float *y, const float *g, float *dx) {
  const __m256 zero = _mm256_setzero_ps();
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(dx + i, _mm256_and_ps(positive, _mm256_loadu_ps(g + i)));
  }
  for (; i < n; i++) dx[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

TT_AVX2 void tt_multiply_avx2(ptrdiff_t n, const float *a, const float *b, float *out) {
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < n; i++) out[i] = a[i] * b[i];
}

TT_AVX2 void tt_add_column_sums_avx2(ptrdiff_t rows, ptrdiff_t cols, const float *g, float *out) {
  ptrdiff_t j = 0;
  // 32 columns at a time in four registers, each summed down the rows in order.
  for (; j + 32 <= cols; j += 32) {
    __m256 a = _mm256_loadu_ps(out + j), b = _mm256_loadu_ps(out + j + 8);
    __m256 c = _mm256_loadu_ps(out + j + 16), d = _mm256_loadu_ps(out + j + 24);
    for (ptrdiff_t r = 0; r < rows; r++) {
      const float *row = g + r * cols + j;
      a = _mm256_add_ps(a, _mm256_loadu_ps(row));
      b = _mm256_add_ps(b, _mm256_loadu_ps(row + 8));
      c = _mm256_add_ps(c, _mm256_loadu_ps(row + 16));
      d = _mm256_add_ps(d, _mm256_loadu_ps(row + 24));
    }
    _mm256_storeu_ps(out + j, a);
    _mm256_storeu_ps(out + j + 8, b);
    _mm256_storeu_ps(out + j + 16, c);
    _mm256_storeu_ps(out + j + 24, d);
  }
  for (; j + 8 <= cols; j += 8) {
    __m256 a = _mm256_loadu_ps(out + j);
    for (ptrdiff_t r = 0; r < rows; r++) a = _mm256_add_ps(a, _mm256_loadu_ps(g + r * cols + j));
    _mm256_storeu_ps(out + j, a);
  }
  for (; j < cols; j++) {
    float sum = out[j];
    for (ptrdiff_t r = 0; r < rows; r++) sum += g[r * cols + j];
    out[j] = sum;
  }
}

#else

int tt_cpu_has_avx2_fma(void) { return 0; }

int tt_cpu_has_avx512f(void) { return 0; }

void tt_sgemm_kernel_6x16_avx512(
  ptrdiff_t kc, const float *a, ptrdiff_t rsa, ptrdiff_t csa, const float *b, ptrdiff_t rsb,
  float *c, ptrdiff_t ldc, float alpha, float beta, ptrdiff_t mr, ptrdiff_t nr) {
  (void)kc; (void)a; (void)rsa; (void)csa; (void)b; (void)rsb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
  abort();
}

void tt_adam_update_avx2(
  ptrdiff_t n, float *p, const float *g, float *m, float *v, float beta1, float beta2,
  float decoupled_decay, float coupled_decay, float step_size, float inverse_correction2_root, float eps) {
  (void)n; (void)p; (void)g; (void)m; (void)v; (void)beta1; (void)beta2; (void)decoupled_decay;
  (void)coupled_decay; (void)step_size; (void)inverse_correction2_root; (void)eps;
  abort();
}

double tt_sum_squares_avx2(ptrdiff_t n, const float *x) { (void)n; (void)x; abort(); }
void tt_scale_avx2(ptrdiff_t n, float *x, float s) { (void)n; (void)x; (void)s; abort(); }
void tt_relu_forward_avx2(ptrdiff_t n, const float *x, float *y) { (void)n; (void)x; (void)y; abort(); }
void tt_relu_backward_avx2(ptrdiff_t n, const float *y, const float *g, float *dx) {
  (void)n; (void)y; (void)g; (void)dx;
  abort();
}
void tt_multiply_avx2(ptrdiff_t n, const float *a, const float *b, float *out) {
  (void)n; (void)a; (void)b; (void)out;
  abort();
}
void tt_add_column_sums_avx2(ptrdiff_t rows, ptrdiff_t cols, const float *g, float *out) {
  (void)rows; (void)cols; (void)g; (void)out;
  abort();
}

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

void tt_pack_a6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst) {
  (void)kc; (void)a; (void)lda; (void)dst;
  abort();
}

void tt_pack_at6_avx2(ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dst) {
  (void)kc; (void)a; (void)lda; (void)dst;
  abort();
}

#endif
