// Dense layers for inference on thin shapes (ThinDense.h).
//
// Why not the GEMM: the training GEMM is built for products that are large in every direction; a
// chunk of prediction rows through the built-in MLP (k 49 or 64, n 128, 64 or 10) spends much of its
// time on what surrounds the micro-kernel: C tiles written, read back for the bias and ReLU, and
// written again; a scalar softmax with libm's expf per value. Here each tile of rows starts its
// accumulators from the bias, runs the whole k in registers against a panel of up to 64 output
// columns (the panel stays in L1 while the rows stream past), and applies ReLU or the row softmax
// before its only store. Kept out of CKernels.c (the training GEMM) so the two are tuned apart.

#include "ThinDense.h"

ptrdiff_t tt_thin_packed_count(ptrdiff_t k, ptrdiff_t n) { return k * ((n + 15) / 16 * 16); }

void tt_thin_pack(ptrdiff_t k, ptrdiff_t n, const float *weight, float *packed) {
  for (ptrdiff_t start = 0; start < n; start += TT_THIN_PANEL) {
    ptrdiff_t width = n - start < TT_THIN_PANEL ? n - start : TT_THIN_PANEL;
    ptrdiff_t padded = (width + 15) / 16 * 16;
    float *panel = packed + start * k;  // every earlier panel is TT_THIN_PANEL wide
    for (ptrdiff_t p = 0; p < k; p++) {
      for (ptrdiff_t j = 0; j < padded; j++) {
        panel[p * padded + j] = j < width ? weight[(start + j) * k + p] : 0.0f;
      }
    }
  }
}

#if defined(__x86_64__)
#include <immintrin.h>

#include "VectorExp.h"

#define TT_THIN512 __attribute__((target("avx512f,avx2,fma")))
#define TT_THIN_INLINE static inline __attribute__((always_inline))

// One row's softmax over n values of any width, in place (the head of a model with more than 64
// classes; narrower heads are done in registers by the tile).
TT_THIN_INLINE TT_THIN512 void tt_thin_softmax_row(float *row, ptrdiff_t n) {
  __m512 largest = _mm512_set1_ps(-__builtin_inff());
  ptrdiff_t j = 0;
  for (; j + 16 <= n; j += 16) largest = _mm512_max_ps(largest, _mm512_loadu_ps(row + j));
  __mmask16 tail = (__mmask16)((1u << (n - j)) - 1);
  if (tail) {
    largest = _mm512_mask_max_ps(largest, tail, largest, _mm512_maskz_loadu_ps(tail, row + j));
  }
  __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
  __m512 total = _mm512_setzero_ps();
  for (j = 0; j + 16 <= n; j += 16) {
    __m512 e = tt_exp512(_mm512_sub_ps(_mm512_loadu_ps(row + j), top));
    _mm512_storeu_ps(row + j, e);
    total = _mm512_add_ps(total, e);
  }
  if (tail) {
    __m512 shifted = _mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + j), top);
    __m512 e = _mm512_maskz_mov_ps(tail, tt_exp512(shifted));
    _mm512_mask_storeu_ps(row + j, tail, e);
    total = _mm512_add_ps(total, e);
  }
  __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(total));
  for (j = 0; j + 16 <= n; j += 16) {
    _mm512_storeu_ps(row + j, _mm512_mul_ps(_mm512_loadu_ps(row + j), inverse));
  }
  if (tail) {
    _mm512_mask_storeu_ps(row + j, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + j), inverse));
  }
}

// The largest row tile per panel width in vectors: accumulators (MR * NB) stay at or under 24 of the
// 32 ZMM registers, leaving room for the NB weight vectors and a broadcast, and at least 8 of them
// are independent so the two FMA pipes (4-cycle latency) never wait.
#define TT_THIN_MAX_MR 12

// MR rows x NB vectors of one panel: accumulators start at the bias, run all of k, get the
// epilogue, are stored once. `last` masks the panel's last vector (its columns past n). MR and NB are
// constants at every call site, so the arrays below become registers and the loops unroll.
TT_THIN_INLINE TT_THIN512 void tt_thin_tile(
  const int MR, const int NB, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *panel,
  const float *bias, float *y, ptrdiff_t ldy, __mmask16 last, int epilogue) {
  __m512 acc[TT_THIN_MAX_MR][4];
  __m512 b[4];
#pragma clang loop unroll(full)
  for (int j = 0; j < NB; j++) {
    // The bias has n floats: the last vector's load is masked so it never reads past them.
    b[j] = j == NB - 1 ? _mm512_maskz_loadu_ps(last, bias + 16 * j) : _mm512_loadu_ps(bias + 16 * j);
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
    for (int j = 0; j < NB; j++) acc[i][j] = b[j];
  }
  const float *w = panel;
  for (ptrdiff_t p = 0; p < k; p++, w += 16 * NB) {
    __m512 wv[4];
#pragma clang loop unroll(full)
    for (int j = 0; j < NB; j++) wv[j] = _mm512_loadu_ps(w + 16 * j);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      __m512 xv = _mm512_set1_ps(x[i * ldx + p]);
#pragma clang loop unroll(full)
      for (int j = 0; j < NB; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
    }
  }
  if (epilogue == TT_THIN_RELU) {
    const __m512 zero = _mm512_setzero_ps();
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
      for (int j = 0; j < NB; j++) acc[i][j] = _mm512_max_ps(acc[i][j], zero);
    }
  } else if (epilogue == TT_THIN_SOFTMAX) {
    // The whole row is in this tile (n <= 64): padding lanes are left out of the maximum and zeroed
    // before the sum.
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      __m512 largest = _mm512_mask_mov_ps(_mm512_set1_ps(-__builtin_inff()), last, acc[i][NB - 1]);
#pragma clang loop unroll(full)
      for (int j = 0; j < NB - 1; j++) largest = _mm512_max_ps(largest, acc[i][j]);
      __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
      __m512 total = _mm512_setzero_ps();
#pragma clang loop unroll(full)
      for (int j = 0; j < NB; j++) {
        __m512 e = tt_exp512(_mm512_sub_ps(acc[i][j], top));
        if (j == NB - 1) e = _mm512_maskz_mov_ps(last, e);
        acc[i][j] = e;
        total = _mm512_add_ps(total, e);
      }
      __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(total));
#pragma clang loop unroll(full)
      for (int j = 0; j < NB; j++) acc[i][j] = _mm512_mul_ps(acc[i][j], inverse);
    }
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++) {
#pragma clang loop unroll(full)
    for (int j = 0; j < NB; j++) {
      if (j == NB - 1) {
        _mm512_mask_storeu_ps(y + i * ldy + 16 * j, last, acc[i][j]);
      } else {
        _mm512_storeu_ps(y + i * ldy + 16 * j, acc[i][j]);
      }
    }
  }
}

// Every row of one panel: full MR-row tiles, then the remaining rows one at a time (only a thread's
// last few rows; callers hand over chunks that are multiples of 24). One function per panel width
// and epilogue, kept out of line: inlined together, the softmax's constants took registers the
// multiply loops needed and the accumulators spilled.
#define TT_THIN_PANEL_ROWS(MR, NB, EPILOGUE, NAME)                                                  \
  __attribute__((noinline)) TT_THIN512 static void tt_thin_panel_##NB##_##NAME(                       \
    ptrdiff_t rows, ptrdiff_t k, const float *x, ptrdiff_t ldx, const float *panel, const float *bias, \
    float *y, ptrdiff_t ldy, __mmask16 last) {                                                      \
    ptrdiff_t r = 0;                                                                                \
    for (; r + MR <= rows; r += MR) {                                                               \
      tt_thin_tile(MR, NB, k, x + r * ldx, ldx, panel, bias, y + r * ldy, ldy, last, EPILOGUE);     \
    }                                                                                               \
    for (; r < rows; r++) {                                                                         \
      tt_thin_tile(1, NB, k, x + r * ldx, ldx, panel, bias, y + r * ldy, ldy, last, EPILOGUE);      \
    }                                                                                               \
  }
// The softmax tiles are shorter where the panel is wider than one vector: the exponential's
// constants need registers of their own next to the accumulators.
#define TT_THIN_PANEL_EPILOGUES(MR, SOFTMAX_MR, NB)        \
  TT_THIN_PANEL_ROWS(MR, NB, TT_THIN_LINEAR, linear)      \
  TT_THIN_PANEL_ROWS(MR, NB, TT_THIN_RELU, relu)          \
  TT_THIN_PANEL_ROWS(SOFTMAX_MR, NB, TT_THIN_SOFTMAX, softmax)

TT_THIN_PANEL_EPILOGUES(12, 12, 1)
TT_THIN_PANEL_EPILOGUES(12, 6, 2)
TT_THIN_PANEL_EPILOGUES(8, 4, 3)
TT_THIN_PANEL_EPILOGUES(6, 3, 4)

typedef void (*tt_thin_panel_fn)(
  ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, const float *, const float *, float *, ptrdiff_t,
  __mmask16);

// [vectors - 1][epilogue]
static const tt_thin_panel_fn tt_thin_panels[4][3] = {
  {tt_thin_panel_1_linear, tt_thin_panel_1_relu, tt_thin_panel_1_softmax},
  {tt_thin_panel_2_linear, tt_thin_panel_2_relu, tt_thin_panel_2_softmax},
  {tt_thin_panel_3_linear, tt_thin_panel_3_relu, tt_thin_panel_3_softmax},
  {tt_thin_panel_4_linear, tt_thin_panel_4_relu, tt_thin_panel_4_softmax},
};

TT_THIN512 void tt_thin_dense_avx512(
  ptrdiff_t rows, ptrdiff_t k, ptrdiff_t n, const float *x, ptrdiff_t ldx, const float *packed,
  const float *bias, float *y, ptrdiff_t ldy, int epilogue) {
  // A softmax wider than one panel cannot be finished inside a tile: store the logits, then
  // normalise each row.
  const int fused = epilogue != TT_THIN_SOFTMAX || n <= TT_THIN_PANEL;
  const int tile_epilogue = fused ? epilogue : TT_THIN_LINEAR;
  for (ptrdiff_t start = 0; start < n; start += TT_THIN_PANEL) {
    ptrdiff_t width = n - start < TT_THIN_PANEL ? n - start : TT_THIN_PANEL;
    int vectors = (int)((width + 15) / 16);
    ptrdiff_t in_last = width - 16 * (vectors - 1);
    __mmask16 last = (__mmask16)(in_last == 16 ? 0xFFFF : (1u << in_last) - 1);
    const float *panel = packed + start * k;
    tt_thin_panels[vectors - 1][tile_epilogue](rows, k, x, ldx, panel, bias + start, y + start, ldy, last);
  }
  if (!fused) {
    for (ptrdiff_t r = 0; r < rows; r++) tt_thin_softmax_row(y + r * ldy, n);
  }
}

#else

#include <stdlib.h>

void tt_thin_dense_avx512(
  ptrdiff_t rows, ptrdiff_t k, ptrdiff_t n, const float *x, ptrdiff_t ldx, const float *packed,
  const float *bias, float *y, ptrdiff_t ldy, int epilogue) {
  (void)rows, (void)k, (void)n, (void)x, (void)ldx, (void)packed, (void)bias, (void)y, (void)ldy;
  (void)epilogue;
  abort();  // callers check tt_cpu_has_avx512f() first, which is 0 off x86
}

#endif
