#ifndef TUNETOP_TRANSFORMER_KERNELS_H
#define TUNETOP_TRANSFORMER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// The encoder's elementwise work with AVX-512 (F, DQ, BW, VL). Each has a portable Swift loop on
// the other side (Transformer/TransformerKernels.swift and friends); results agree with it to float
// rounding (sums are taken in another order, exp and erfc are polynomial approximations accurate to
// a few units in the last place), and dropout draws exactly the same SplitMix64 stream.

/// 1 when this CPU and OS can run the kernels below (AVX-512 F, DQ, BW and VL), 0 otherwise.
int tt_cpu_has_avx512_transformer(void);

/// y = x * Phi(x), exact (erf) GELU; Phi from erfc(|x|/sqrt 2) so negative inputs keep their
/// relative accuracy (relative error below ~3e-7). y may be x.
void tt_gelu_forward_avx512(ptrdiff_t n, const float *x, float *y);

/// dx = dy * (Phi(x) + x * phi(x)); dx may be dy.
void tt_gelu_backward_avx512(ptrdiff_t n, const float *x, const float *dy, float *dx);

/// Each of `rows` rows (row stride `stride`): softmax of its first `valid` values in place, the
/// values from `valid` to `stride` set to exact zeros (masked keys).
void tt_masked_softmax_avx512(ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, float *s);

/// Inverted dropout of n values with SplitMix64 draws from `state`, one per value in order (the
/// draw after the generator's state s is mix(s + golden)): keep[i] = (draw >> 40) >= threshold,
/// mask[i] = keep[i], y[i] = keep[i] ? x[i] * scale : 0. y may be x. Returns the advanced state.
uint64_t tt_dropout_forward_avx512(
  ptrdiff_t n, const float *x, float *y, uint8_t *mask, uint64_t state, uint64_t threshold, float scale);

/// dx[i] = mask[i] ? dy[i] * scale : 0; dx may be dy.
void tt_dropout_apply_avx512(ptrdiff_t n, const float *dy, const uint8_t *mask, float scale, float *dx);

/// LayerNorm forward of `rows` rows of n features: xhat = (x - mean) * rstd, rstd = 1/sqrt(var +
/// eps), y = xhat * gamma + beta. xhat may be x.
void tt_layer_norm_forward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *x, const float *gamma, const float *beta, float eps,
  float *xhat, float *rstd, float *y);

/// LayerNorm backward: dgamma += sum dy*xhat and dbeta += sum dy (row by row, when non-null), and
/// dx = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)). dx may be dy.
void tt_layer_norm_backward_avx512(
  ptrdiff_t rows, ptrdiff_t n, const float *dy, const float *xhat, const float *rstd, const float *gamma,
  float *dgamma, float *dbeta, float *dx);

/// Softmax backward over the first `valid` values of each row, in place: d = p * (d - sum(d * p)).
void tt_softmax_backward_avx512(
  ptrdiff_t rows, ptrdiff_t valid, ptrdiff_t stride, const float *p, float *d);

/// y[i] += x[i].
void tt_add_avx512(ptrdiff_t n, const float *x, float *y);

#endif
