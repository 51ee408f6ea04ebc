// GRU as Keras computes it (implementation 2): gates z, r, h in column blocks
// of kernel [I,3U] and recurrent [U,3U].
//   reset_after (Keras 3 default; bias [2,3U] = input row bi, recurrent row br):
//     x_* = x W_* + bi_*        rec_* = h_prev R_* + br_*
//     z = ra(x_z + rec_z)  r = ra(x_r + rec_r)  hh = a(x_h + r * rec_h)
//   reset before (Keras 2 / TensorFlow.js; bias [3U]):
//     z = ra(x_z + h_prev R_z)  r = ra(x_r + h_prev R_r)  hh = a(x_h + (r * h_prev) R_h)
//   h = z * h_prev + (1 - z) * hh
//
// As in lstm.cc: steps run in processing order on time-major copies, the
// recurrence is split across the pool by batch rows with its per-step products in
// sgemm_small, the weight gradients are pooled GEMMs over all steps, and the
// nonlinearities are the Activation layer's (rnn_steps.h).
#include <cstring>

#include "kernels.h"
#include "rnn_dropout.h"
#include "rnn_steps.h"
#include "simd.h"

namespace blasnet {
namespace {

// Views into the forward cache (layout at gru_cache_size); F is float or const float.
template <typename F>
struct GruCache {
  F *xs, *a, *gt, *rec, *h;
  GruCache(F* base, const RnnGeom& g) {
    const int64_t TN = g.T * g.N;
    xs = base;
    a = xs + TN * g.I;
    gt = a + TN * 3 * g.U;
    rec = gt + TN * 3 * g.U;
    h = rec + TN * 3 * g.U;
  }
};

// Step s for batch rows [lo, hi), up to the candidate's pre-activation: a (holding
// x W) gets the input bias and rec_z, rec_r; then z and r. reset_after: rec (holding
// h_prev R, or 0) gets the recurrent bias and a_h += r * rec_h. Reset before: rec_h
// becomes r * h_prev, which the caller multiplies by R_h into a_h.
BLASNET_MULTIVERSION
void step_gates(const GruCache<float>& k, const float* input_bias, const float* recurrent_bias, int64_t s, int64_t lo,
                int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 3 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    float* __restrict a = k.a + row * G;
    float* __restrict gt = k.gt + row * G;
    float* __restrict rec = k.rec + row * G;
    if (input_bias) {
      for (int64_t u = 0; u < G; ++u) a[u] += input_bias[u];
    }
    if (recurrent_bias) {
      for (int64_t u = 0; u < G; ++u) rec[u] += recurrent_bias[u];
    }
    for (int64_t u = 0; u < 2 * U; ++u) a[u] += rec[u];
    gate_forward(g.recurrent_activation, gt, a, 2 * U);  // z, r
    const float* __restrict r = gt + U;
    if (g.reset_after) {
      for (int64_t u = 0; u < U; ++u) a[2 * U + u] += r[u] * rec[2 * U + u];
    } else if (s > 0) {
      const float* __restrict h_prev = k.h + (row - N) * U;
      for (int64_t u = 0; u < U; ++u) rec[2 * U + u] = r[u] * h_prev[u];
    } else {
      for (int64_t u = 0; u < U; ++u) rec[2 * U + u] = 0.0f;
    }
  }
}

// Step s for batch rows [lo, hi), from the candidate's full pre-activation: hh and h.
BLASNET_MULTIVERSION
void step_output(const GruCache<float>& k, int64_t s, int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 3 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* __restrict a = k.a + row * G;
    float* __restrict gt = k.gt + row * G;
    float* __restrict h = k.h + row * U;
    gate_forward(g.activation, gt + 2 * U, a + 2 * U, U);  // hh
    const float* __restrict z = gt;
    const float* __restrict hh = gt + 2 * U;
    if (s > 0) {
      const float* __restrict h_prev = h - N * U;
      for (int64_t u = 0; u < U; ++u) h[u] = z[u] * h_prev[u] + (1.0f - z[u]) * hh[u];
    } else {
      for (int64_t u = 0; u < U; ++u) h[u] = (1.0f - z[u]) * hh[u];
    }
  }
}

// Backward step s for batch rows [lo, hi), first part: from dh (dL/dh_s) to dz and
// dhh in da, and dh = the direct path z * dL/dh_s to h_{s-1}. reset_after also
// finishes da (dr, the gate derivatives) and drec.
BLASNET_MULTIVERSION
void step_backward_output(float* da, float* drec, float* dh, const float* dout, const GruCache<const float>& k,
                          int64_t s, int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 3 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* __restrict a = k.a + row * G;
    const float* __restrict gt = k.gt + row * G;
    const float* __restrict z = gt;
    const float* __restrict hh = gt + 2 * U;
    const float* __restrict dout_r = rnn_output_grad_row(dout, s, n, g);
    const float* __restrict h_prev = s > 0 ? k.h + (row - N) * U : nullptr;
    float* __restrict dar = da + row * G;
    float* __restrict dhr = dh + n * U;
    for (int64_t u = 0; u < U; ++u) {
      const float d = dhr[u] + (dout_r ? dout_r[u] : 0.0f);
      const float hp = h_prev ? h_prev[u] : 0.0f;
      dar[u] = d * (hp - hh[u]);           // dL/dz
      dar[2 * U + u] = d * (1.0f - z[u]);  // dL/dhh
      dhr[u] = d * z[u];                   // direct path to h_prev
    }
    gate_backward(g.activation, dar + 2 * U, dar + 2 * U, a + 2 * U, hh, U);
    if (g.reset_after) {
      const float* __restrict r = gt + U;
      const float* __restrict rec_h = k.rec + row * G + 2 * U;
      for (int64_t u = 0; u < U; ++u) dar[U + u] = dar[2 * U + u] * rec_h[u];  // dL/dr
      gate_backward(g.recurrent_activation, dar, dar, a, gt, 2 * U);
      float* __restrict drr = drec + row * G;
      std::memcpy(drr, dar, sizeof(float) * 2 * U);
      for (int64_t u = 0; u < U; ++u) drr[2 * U + u] = dar[2 * U + u] * r[u];
    }
  }
}

// Reset before, second part: drh = dL/d(r * h_prev) (from da_h R_h^T) gives dr and
// adds r * drh to dh; then the gate derivatives of z and r.
BLASNET_MULTIVERSION
void step_backward_reset(float* da, float* dh, const float* drh, const GruCache<const float>& k, int64_t s,
                         int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 3 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* __restrict gt = k.gt + row * G;
    const float* __restrict r = gt + U;
    float* __restrict dar = da + row * G;
    float* __restrict dhr = dh + n * U;
    if (s > 0) {
      const float* __restrict h_prev = k.h + (row - N) * U;
      const float* __restrict drhr = drh + n * U;
      for (int64_t u = 0; u < U; ++u) {
        dar[U + u] = drhr[u] * h_prev[u];  // dL/dr
        dhr[u] += drhr[u] * r[u];
      }
    } else {
      for (int64_t u = 0; u < U; ++u) dar[U + u] = 0.0f;
    }
    gate_backward(g.recurrent_activation, dar, dar, k.a + row * G, gt, 2 * U);
  }
}

// Reset before, with recurrent dropout: rec_h = r * (h_prev * m_h) (step_gates
// wrote r * h_prev), the candidate's masked operand, as Keras' GRUCell.
void reset_masked_state(const GruCache<float>& k, const RnnMaskedOperand& hm, int64_t s, int64_t lo, int64_t hi,
                        const RnnGeom& g) {
  const int64_t N = g.N, U = g.U, G = 3 * U;
  for (int64_t n = lo; n < hi; ++n) {
    const int64_t row = s * N + n;
    const float* __restrict r = k.gt + row * G + U;
    const float* __restrict h_masked = hm.am + row * hm.width() + 2 * U;
    float* __restrict rec_h = k.rec + row * G + 2 * U;
    for (int64_t u = 0; u < U; ++u) rec_h[u] = r[u] * h_masked[u];
  }
}

// Reset before, with recurrent dropout: drh = dL/d(r * h_prev * m_h) becomes
// dL/d(r * h_prev) by the mask, so step_backward_reset's r and h_prev paths hold.
void mask_reset_grad(float* drh, const RnnMaskedOperand& hm, int64_t N, int64_t lo, int64_t hi) {
  const int64_t U = hm.K;
  for (int64_t n = lo; n < hi; ++n) {
    const float* __restrict m = hm.masks + (2 * N + n) * U;
    float* __restrict d = drh + n * U;
    for (int64_t u = 0; u < U; ++u) d[u] *= m[u];
  }
}

}  // namespace

void gru_forward(float* out, float* cache, const float* x, const float* kernel, const float* recurrent,
                 const float* bias, const RnnGeom& g, ThreadPool& pool, const RnnDropout* dropout,
                 const uint8_t* mask) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 3 * U;
  const GruCache<float> k(cache, g);
  const RnnDropoutRun drop(dropout, cache + gru_cache_size(g), nullptr, g, 3);
  const float* input_bias = bias;
  const float* recurrent_bias = bias && g.reset_after ? bias + G : nullptr;
  float* const states[] = {k.h};
  rnn_for_rows(pool, N, [&](int64_t lo, int64_t hi) {
    const int64_t M = hi - lo;
    rnn_gather_steps(k.xs, x, g, lo, hi);
    for (int64_t s = 0; s < T; ++s) {
      const int64_t row = s * N + lo;
      const float* h_prev = s > 0 ? k.h + (row - N) * U : nullptr;
      float* rec = k.rec + row * G;
      if (drop.input) {  // a_s = (x_s * m) @ kernel
        drop.input.mask_rows(k.xs + row * I, I, s, N, lo, hi);
        drop.input.product(false, kernel, G, U, 3, k.a + row * G, s, N, lo, hi);
      } else {
        sgemm_small(false, M, G, I, k.xs + row * I, I, kernel, G, k.a + row * G, G);  // a_s = x_s @ kernel
      }
      if (drop.recurrent && h_prev) {  // (h_prev * m_k) R_k for z, r (and h after the reset)
        drop.recurrent.mask_rows(h_prev, U, s, N, lo, hi);
        drop.recurrent.product(false, recurrent, G, U, g.reset_after ? 3 : 2, rec, s, N, lo, hi);
      } else if (g.reset_after && h_prev) {
        sgemm_small(false, M, G, U, h_prev, U, recurrent, G, rec, G);  // h_prev R
      } else if (h_prev) {
        sgemm_small(false, M, 2 * U, U, h_prev, U, recurrent, G, rec, G);  // [h R_z, h R_r]
      } else {
        std::memset(rec, 0, sizeof(float) * M * G);
      }
      step_gates(k, input_bias, recurrent_bias, s, lo, hi, g);
      if (!g.reset_after && h_prev && drop.recurrent) reset_masked_state(k, drop.recurrent, s, lo, hi, g);
      if (!g.reset_after && h_prev) {  // a_h += (r * h_prev) R_h
        sgemm_small(true, M, U, U, rec + 2 * U, G, recurrent + 2 * U, G, k.a + row * G + 2 * U, G);
      }
      step_output(k, s, lo, hi, g);
      if (mask) rnn_carry_masked(states, 1, mask, s, lo, hi, g);
    }
    rnn_scatter_outputs(out, k.h, g, lo, hi);
  });
}

void gru_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch, const float* dout,
                  const float* cache, const float* kernel, const float* recurrent, const RnnGeom& g,
                  ThreadPool& pool, const RnnDropout* dropout, const uint8_t* mask) {
  if (!dx && !dkernel && !drecurrent && !dbias) return;
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 3 * U;
  const GruCache<const float> k(cache, g);
  // Backward only reads the masked copies forward wrote.
  const RnnDropoutRun drop(dropout, const_cast<float*>(cache) + gru_cache_size(g), scratch + gru_scratch_size(g), g,
                           3);
  float* da = scratch;              // [T,N,3U] gradients of the pre-activations a
  float* drec = da + T * N * G;     // [T,N,3U] gradients of rec (reset_after only)
  float* dh = drec + T * N * G;     // [N,U] dL/dh_s flowing back from step s+1
  float* drh = dh + N * U;          // [N,U] dL/d(r*h_prev) (reset before only)
  float* kernel_t = drh + N * U;    // [3U,I] kernel transposed
  float* recurrent_t = kernel_t + G * I;  // [3U,U] recurrent transposed: rows z, r, h
  if (dx) rnn_transpose(kernel_t, kernel, I, G);
  rnn_transpose(recurrent_t, recurrent, U, G);
  rnn_for_rows(pool, N, [&](int64_t lo, int64_t hi) {
    const int64_t M = hi - lo;
    std::memset(dh + lo * U, 0, sizeof(float) * M * U);
    for (int64_t s = T - 1; s >= 0; --s) {
      float* das = da + (s * N + lo) * G;
      if (mask) rnn_hold_masked(da, G, dh, nullptr, dout, mask, s, lo, hi, g);
      step_backward_output(da, drec, dh, dout, k, s, lo, hi, g);
      if (g.reset_after) {
        if (s > 0 && drop.recurrent) {  // dh += sum_k (drec_k @ R_k^T) * m_k
          drop.recurrent.product_backward(dh + lo * U, U, true, drop.recurrent_tmp + lo * U, drec + (s * N + lo) * G,
                                          recurrent_t, G, U, 3, N, lo, hi);
        } else if (s > 0) {  // dh += drec_s @ R^T
          sgemm_small(true, M, U, G, drec + (s * N + lo) * G, G, recurrent_t, U, dh + lo * U, U);
        }
      } else {
        // Reset before: the candidate reaches h_prev and r through (r * h_prev) R_h.
        if (s > 0) sgemm_small(false, M, U, U, das + 2 * U, G, recurrent_t + 2 * U * U, U, drh + lo * U, U);
        if (s > 0 && drop.recurrent) mask_reset_grad(drh, drop.recurrent, N, lo, hi);
        step_backward_reset(da, dh, drh, k, s, lo, hi, g);
        if (s > 0 && drop.recurrent) {  // dh += sum_k (da_k @ R_k^T) * m_k over z, r
          drop.recurrent.product_backward(dh + lo * U, U, true, drop.recurrent_tmp + lo * U, das, recurrent_t, G, U, 2,
                                          N, lo, hi);
        } else if (s > 0) {  // dh += da_zr @ R_zr^T
          sgemm_small(true, M, U, 2 * U, das, G, recurrent_t, U, dh + lo * U, U);
        }
      }
      if (mask) rnn_release_masked(da, g.reset_after ? drec : nullptr, G, dh, nullptr, mask, s, lo, hi, g);
      float* dxs = dx ? dx + (lo * T + rnn_input_step(s, g)) * I : nullptr;  // dx[n, t(s)], batch-major rows
      if (dx && drop.input) {  // dx = sum_k (da_k @ kernel_k^T) * m_k
        drop.input.product_backward(dxs, T * I, false, drop.input_tmp + lo * I, das, kernel_t, G, U, 3, N, lo, hi);
      } else if (dx) {
        sgemm_small(false, M, I, G, das, G, kernel_t, I, dxs, T * I);  // dx = da_s @ kernel^T
      }
    }
  });

  // Weight and bias gradients over all steps at once, by column blocks of the
  // gates. The recurrent weights see h_{-1} = 0, so step 0 adds nothing to them; reset before,
  // the candidate's block multiplies r * h_prev (held in rec_h) instead of h_prev.
  const int64_t RN = (T - 1) * N;
  if (!dkernel && !drecurrent && !dbias) return;
  rnn_for_column_blocks(pool, G, [&](int64_t j0, int64_t j1) {
    if (dkernel && drop.input) drop.input.weight_grad(dkernel, da, T * N, 0, G, U, j0, j1);
    else if (dkernel) sgemm_ld(true, false, I, j1 - j0, T * N, 1.0f, k.xs, I, da + j0, G, 1.0f, dkernel + j0, G);
    if (dbias) rnn_column_sums(dbias, da, T * N, G, j0, j1);
    if (dbias && g.reset_after) rnn_column_sums(dbias + G, drec, T * N, G, j0, j1);
    if (!drecurrent || RN == 0) return;
    if (g.reset_after && drop.recurrent) {  // the masked h_{s-1} of steps 1..T-1
      drop.recurrent.weight_grad(drecurrent, drec + N * G, RN, N, G, U, j0, j1);
      return;
    }
    if (g.reset_after) {
      sgemm_ld(true, false, U, j1 - j0, RN, 1.0f, k.h, U, drec + N * G + j0, G, 1.0f, drecurrent + j0, G);
      return;
    }
    const int64_t zr_end = j1 < 2 * U ? j1 : 2 * U;  // [j0, zr_end) in the z, r gates
    if (j0 < zr_end && drop.recurrent) {
      drop.recurrent.weight_grad(drecurrent, da + N * G, RN, N, G, U, j0, zr_end);
    } else if (j0 < zr_end) {
      sgemm_ld(true, false, U, zr_end - j0, RN, 1.0f, k.h, U, da + N * G + j0, G, 1.0f, drecurrent + j0, G);
    }
    const int64_t h_begin = j0 > 2 * U ? j0 : 2 * U;  // [h_begin, j1) in the candidate gate
    if (h_begin < j1) {
      sgemm_ld(true, false, U, j1 - h_begin, RN, 1.0f, k.rec + N * G + 2 * U, G, da + N * G + h_begin, G, 1.0f,
               drecurrent + h_begin, G);
    }
  });
}

}  // namespace blasnet
