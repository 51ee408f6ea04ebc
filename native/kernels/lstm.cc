// LSTM as Keras computes it (implementation 2): gates i, f, c, o in column
// blocks of kernel [I,4U], recurrent [U,4U] and bias [4U].
//   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
//   c = f*c_prev + i*g        h = o*a(c)
// where a is the activation and ra the recurrent activation.
//
// Everything runs in processing order s = 0..T-1 on time-major copies, so each
// step's rows are contiguous; go_backwards only changes which input timestep
// step s reads. The recurrence is split across the pool in chunks of batch rows,
// which never interact, so a thread runs all T steps of its rows with no
// synchronisation between steps; the per-step products (input projection,
// recurrent term, input gradient) go through sgemm_small, which keeps the weights
// in cache instead of repacking them at every step. The weight gradients are
// GEMMs over all steps, split by column blocks. The gate nonlinearities are the
// Activation layer's (rnn_steps.h).
//
// With Keras' default activations (tanh, sigmoid), whose derivatives come from
// their outputs, each step is one fused, vectorised pass over the units and the
// activations overwrite the pre-activations in the `a` block of the cache (z is
// not written); other activations take a pass per gate and keep z.
#include <cstring>

#include "kernels.h"
#include "rnn_dropout.h"
#include "rnn_steps.h"
#include "simd.h"

namespace blasnet {
namespace {

// Views into the forward cache (layout at lstm_cache_size); F is float or const float.
template <typename F>
struct LstmCache {
  F *xs, *z, *a, *c, *ac, *h;
  LstmCache(F* base, const RnnGeom& g) {
    const int64_t TN = g.T * g.N;
    xs = base;
    z = xs + TN * g.I;
    a = z + TN * 4 * g.U;
    c = a + TN * 4 * g.U;
    ac = c + TN * g.U;
    h = ac + TN * g.U;
  }
};

bool fused_gates(const RnnGeom& g) {
  return g.activation == Activation::kTanh && g.recurrent_activation == Activation::kSigmoid;
}

// One row of a fused forward step: a holds z = x W + h_prev R on entry and the
// gates i, f, g, o on exit; c, a(c) and h are written.
template <bool kBias, bool kPrev>
BLASNET_INLINE void fused_row_forward(float* __restrict a, float* __restrict c, float* __restrict ac,
                                      float* __restrict h, const float* __restrict c_prev,
                                      const float* __restrict bias, int64_t U) {
  for (int64_t u = 0; u < U; ++u) {
    const float ig = sigmoid_vec(kBias ? a[u] + bias[u] : a[u]);
    const float fg = sigmoid_vec(kBias ? a[U + u] + bias[U + u] : a[U + u]);
    const float gg = tanh_vec(kBias ? a[2 * U + u] + bias[2 * U + u] : a[2 * U + u]);
    const float og = sigmoid_vec(kBias ? a[3 * U + u] + bias[3 * U + u] : a[3 * U + u]);
    const float cu = kPrev ? ig * gg + fg * c_prev[u] : ig * gg;
    const float acu = tanh_vec(cu);
    a[u] = ig;
    a[U + u] = fg;
    a[2 * U + u] = gg;
    a[3 * U + u] = og;
    c[u] = cu;
    ac[u] = acu;
    h[u] = og * acu;
  }
}

// Step s for batch rows [lo, hi) with tanh / sigmoid: fused_row_forward on each.
BLASNET_MULTIVERSION
void step_forward_fused(const LstmCache<float>& k, const float* bias, int64_t s, int64_t lo, int64_t hi,
                        const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 4 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    float* a = k.a + row * G;
    float* c = k.c + row * U;
    const float* c_prev = s > 0 ? c - N * U : nullptr;
    float* ac = k.ac + row * U;
    float* h = k.h + row * U;
    if (bias && c_prev) fused_row_forward<true, true>(a, c, ac, h, c_prev, bias, U);
    else if (bias) fused_row_forward<true, false>(a, c, ac, h, c_prev, bias, U);
    else if (c_prev) fused_row_forward<false, true>(a, c, ac, h, c_prev, bias, U);
    else fused_row_forward<false, false>(a, c, ac, h, c_prev, bias, U);
  }
}

// One row of a fused backward step: from dh = dL/dh_s (carried, plus dout when
// kOut) and dc = dL/dc_s (carried) to dz, and dc becomes dL/dc_{s-1}. The same
// arithmetic, in the same order, as step_backward with tanh / sigmoid.
template <bool kOut, bool kPrev>
BLASNET_INLINE void fused_row_backward(float* __restrict dz, float* __restrict dc, const float* __restrict dh,
                                       const float* __restrict dout, const float* __restrict a,
                                       const float* __restrict ac, const float* __restrict c_prev, int64_t U) {
  for (int64_t u = 0; u < U; ++u) {
    const float ig = a[u], fg = a[U + u], gg = a[2 * U + u], og = a[3 * U + u], acu = ac[u];
    const float d = kOut ? dh[u] + dout[u] : dh[u];
    const float dcu = (d * og) * (1.0f - acu * acu) + dc[u];  // dL/dc_s
    dz[u] = (dcu * gg) * (ig * (1.0f - ig));
    dz[U + u] = kPrev ? (dcu * c_prev[u]) * (fg * (1.0f - fg)) : 0.0f;
    dz[2 * U + u] = (dcu * ig) * (1.0f - gg * gg);
    dz[3 * U + u] = (d * acu) * (og * (1.0f - og));
    dc[u] = dcu * fg;
  }
}

// Backward step s for batch rows [lo, hi) with tanh / sigmoid.
BLASNET_MULTIVERSION
void step_backward_fused(float* dz, const float* dh, float* dc, const float* dout, const LstmCache<const float>& k,
                         int64_t s, int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 4 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* a = k.a + row * G;
    const float* ac = k.ac + row * U;
    const float* c_prev = s > 0 ? k.c + (row - N) * U : nullptr;
    const float* dout_r = rnn_output_grad_row(dout, s, n, g);
    float* dzr = dz + row * G;
    const float* dhr = dh + n * U;
    float* dcr = dc + n * U;
    if (dout_r && c_prev) fused_row_backward<true, true>(dzr, dcr, dhr, dout_r, a, ac, c_prev, U);
    else if (dout_r) fused_row_backward<true, false>(dzr, dcr, dhr, dout_r, a, ac, c_prev, U);
    else if (c_prev) fused_row_backward<false, true>(dzr, dcr, dhr, dout_r, a, ac, c_prev, U);
    else fused_row_backward<false, false>(dzr, dcr, dhr, dout_r, a, ac, c_prev, U);
  }
}

// Step s for batch rows [lo, hi), any activations: z (holding x W + h_prev R) gets
// the bias, then the gates, the cell and the hidden state.
BLASNET_MULTIVERSION
void step_forward(const LstmCache<float>& k, const float* bias, int64_t s, int64_t lo, int64_t hi,
                  const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 4 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    float* __restrict z = k.z + row * G;
    float* __restrict a = k.a + row * G;
    float* __restrict c = k.c + row * U;
    float* __restrict ac = k.ac + row * U;
    float* __restrict h = k.h + row * U;
    if (bias) {
      for (int64_t u = 0; u < G; ++u) z[u] += bias[u];
    }
    gate_forward(g.recurrent_activation, a, z, 2 * U);              // i, f
    gate_forward(g.activation, a + 2 * U, z + 2 * U, U);             // g
    gate_forward(g.recurrent_activation, a + 3 * U, z + 3 * U, U);   // o
    const float* __restrict ig = a;
    const float* __restrict fg = a + U;
    const float* __restrict gg = a + 2 * U;
    const float* __restrict og = a + 3 * U;
    if (s > 0) {
      const float* __restrict c_prev = c - N * U;
      for (int64_t u = 0; u < U; ++u) c[u] = ig[u] * gg[u] + fg[u] * c_prev[u];
    } else {
      for (int64_t u = 0; u < U; ++u) c[u] = ig[u] * gg[u];
    }
    gate_forward(g.activation, ac, c, U);
    for (int64_t u = 0; u < U; ++u) h[u] = og[u] * ac[u];
  }
}

// Step s backwards for batch rows [lo, hi): from dh (dL/dh_s from step s+1) and
// dc (dL/dc_s from step s+1) to dz_s, and dc becomes dL/dc_{s-1}. dh's rows are
// used as scratch; the caller then sets them to dL/dh_{s-1} = dz_s R^T.
BLASNET_MULTIVERSION
void step_backward(float* dz, float* dh, float* dc, const float* dout, const LstmCache<const float>& k, int64_t s,
                   int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 4 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* __restrict z = k.z + row * G;
    const float* __restrict a = k.a + row * G;
    const float* __restrict ig = a;
    const float* __restrict fg = a + U;
    const float* __restrict gg = a + 2 * U;
    const float* __restrict og = a + 3 * U;
    const float* __restrict c = k.c + row * U;
    const float* __restrict ac = k.ac + row * U;
    const float* __restrict dout_r = rnn_output_grad_row(dout, s, n, g);
    float* __restrict dzr = dz + row * G;
    float* __restrict dhr = dh + n * U;
    float* __restrict dcr = dc + n * U;
    // dL/dh = carried + this step's output gradient; split it into o and a(c).
    if (dout_r) {
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + dout_r[u];
        dzr[3 * U + u] = d * ac[u];  // dL/do
        dhr[u] = d * og[u];          // dL/da(c), reusing dh's row as scratch
      }
    } else {
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u];
        dzr[3 * U + u] = d * ac[u];
        dhr[u] = d * og[u];
      }
    }
    gate_backward(g.activation, dhr, dhr, c, ac, U);  // dL/dc from h
    if (s > 0) {
      const float* __restrict c_prev = c - N * U;
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + dcr[u];
        dzr[u] = d * gg[u];            // dL/di
        dzr[U + u] = d * c_prev[u];    // dL/df
        dzr[2 * U + u] = d * ig[u];    // dL/dg
        dcr[u] = d * fg[u];            // to c_{s-1}
      }
    } else {
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + dcr[u];
        dzr[u] = d * gg[u];
        dzr[U + u] = 0.0f;
        dzr[2 * U + u] = d * ig[u];
        dcr[u] = d * fg[u];
      }
    }
    gate_backward(g.recurrent_activation, dzr, dzr, z, a, 2 * U);
    gate_backward(g.activation, dzr + 2 * U, dzr + 2 * U, z + 2 * U, a + 2 * U, U);
    gate_backward(g.recurrent_activation, dzr + 3 * U, dzr + 3 * U, z + 3 * U, a + 3 * U, U);
  }
}

}  // namespace

void lstm_forward(float* out, float* cache, const float* x, const float* kernel, const float* recurrent,
                  const float* bias, const RnnGeom& g, ThreadPool& pool, const RnnDropout* dropout,
                  const uint8_t* mask) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 4 * U;
  const LstmCache<float> k(cache, g);
  const RnnDropoutRun drop(dropout, cache + lstm_cache_size(g), nullptr, g, 4);
  const bool fused = fused_gates(g);
  float* z = fused ? k.a : k.z;  // where the pre-activations accumulate
  float* const states[] = {k.h, k.c};
  rnn_for_rows(pool, N, [&](int64_t lo, int64_t hi) {
    const int64_t M = hi - lo;
    rnn_gather_steps(k.xs, x, g, lo, hi);
    for (int64_t s = 0; s < T; ++s) {
      const int64_t row = s * N + lo;
      if (drop.input) {  // z_s = (x_s * m) @ kernel
        drop.input.mask_rows(k.xs + row * I, I, s, N, lo, hi);
        drop.input.product(false, kernel, G, U, 4, z + row * G, s, N, lo, hi);
      } else {
        sgemm_small(false, M, G, I, k.xs + row * I, I, kernel, G, z + row * G, G);  // z_s = x_s @ kernel
      }
      if (s > 0 && drop.recurrent) {  // += (h_{s-1} * m) @ R
        drop.recurrent.mask_rows(k.h + (row - N) * U, U, s, N, lo, hi);
        drop.recurrent.product(true, recurrent, G, U, 4, z + row * G, s, N, lo, hi);
      } else if (s > 0) {
        sgemm_small(true, M, G, U, k.h + (row - N) * U, U, recurrent, G, z + row * G, G);  // += h_{s-1} @ R
      }
      if (fused) step_forward_fused(k, bias, s, lo, hi, g);
      else step_forward(k, bias, s, lo, hi, g);
      if (mask) rnn_carry_masked(states, 2, mask, s, lo, hi, g);
    }
    rnn_scatter_outputs(out, k.h, g, lo, hi);
  });
}

void lstm_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch, const float* dout,
                   const float* cache, const float* kernel, const float* recurrent, const RnnGeom& g,
                   ThreadPool& pool, const RnnDropout* dropout, const uint8_t* mask) {
  if (!dx && !dkernel && !drecurrent && !dbias) return;
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 4 * U;
  const LstmCache<const float> k(cache, g);
  // Backward only reads the masked copies forward wrote.
  const RnnDropoutRun drop(dropout, const_cast<float*>(cache) + lstm_cache_size(g), scratch + lstm_scratch_size(g), g,
                           4);
  float* dz = scratch;                 // [T,N,4U] gradients of the pre-activations
  float* dh = dz + T * N * G;          // [N,U] dL/dh_s flowing back from step s+1
  float* dc = dh + N * U;              // [N,U] dL/dc_s flowing back from step s+1
  float* kernel_t = dc + N * U;        // [4U,I] kernel transposed
  float* recurrent_t = kernel_t + G * I;  // [4U,U] recurrent transposed
  const bool fused = fused_gates(g);
  if (dx) rnn_transpose(kernel_t, kernel, I, G);
  rnn_transpose(recurrent_t, recurrent, U, G);
  rnn_for_rows(pool, N, [&](int64_t lo, int64_t hi) {
    const int64_t M = hi - lo;
    std::memset(dh + lo * U, 0, sizeof(float) * M * U);
    std::memset(dc + lo * U, 0, sizeof(float) * M * U);
    for (int64_t s = T - 1; s >= 0; --s) {
      const float* dzs = dz + (s * N + lo) * G;
      if (mask) rnn_hold_masked(dz, G, dh, dc, dout, mask, s, lo, hi, g);
      if (fused) step_backward_fused(dz, dh, dc, dout, k, s, lo, hi, g);
      else step_backward(dz, dh, dc, dout, k, s, lo, hi, g);
      if (s > 0 && drop.recurrent) {  // dh = sum_k (dz_k @ R_k^T) * m_k
        drop.recurrent.product_backward(dh + lo * U, U, false, drop.recurrent_tmp + lo * U, dzs, recurrent_t, G, U, 4,
                                        N, lo, hi);
      } else if (s > 0) {
        sgemm_small(false, M, U, G, dzs, G, recurrent_t, U, dh + lo * U, U);  // dh = dz_s @ R^T
      }
      if (mask) rnn_release_masked(dz, nullptr, G, dh, dc, mask, s, lo, hi, g);
      float* dxs = dx ? dx + (lo * T + rnn_input_step(s, g)) * I : nullptr;  // dx[n, t(s)], batch-major rows
      if (dx && drop.input) {  // dx = sum_k (dz_k @ kernel_k^T) * m_k
        drop.input.product_backward(dxs, T * I, false, drop.input_tmp + lo * I, dzs, kernel_t, G, U, 4, N, lo, hi);
      } else if (dx) {
        sgemm_small(false, M, I, G, dzs, G, kernel_t, I, dxs, T * I);  // dx = dz_s @ kernel^T
      }
    }
  });

  // Weight gradients over all steps at once, by column blocks of the gates (a
  // block reads its slice of dz for all three). h_{-1} = 0, so step 0 adds nothing to dR.
  if (!dkernel && !drecurrent && !dbias) return;
  rnn_for_column_blocks(pool, G, [&](int64_t j0, int64_t j1) {
    if (drecurrent && T > 1 && drop.recurrent) {  // the masked h_{s-1} of steps 1..T-1
      drop.recurrent.weight_grad(drecurrent, dz + N * G, (T - 1) * N, N, G, U, j0, j1);
    } else if (drecurrent && T > 1) {
      sgemm_ld(true, false, U, j1 - j0, (T - 1) * N, 1.0f, k.h, U, dz + N * G + j0, G, 1.0f, drecurrent + j0, G);
    }
    if (dkernel && drop.input) drop.input.weight_grad(dkernel, dz, T * N, 0, G, U, j0, j1);
    else if (dkernel) sgemm_ld(true, false, I, j1 - j0, T * N, 1.0f, k.xs, I, dz + j0, G, 1.0f, dkernel + j0, G);
    if (dbias) rnn_column_sums(dbias, dz, T * N, G, j0, j1);
  });
}

}  // namespace blasnet
