// GRU as Keras computes it (implementation 2): gates z, r, h in column blocks
// of kernel [I,3U] and recurrent [U,3U].
//   reset_after (Keras 3 default; bias [2,3U] = input row bi, recurrent row br):
//     x_* = x W_* + bi_*        rec_* = h_prev R_* + br_*
//     z = ra(x_z + rec_z)  r = ra(x_r + rec_r)  hh = a(x_h + r * rec_h)
//   reset before (Keras 2 / TensorFlow.js; bias [3U]):
//     z = ra(x_z + h_prev R_z)  r = ra(x_r + h_prev R_r)  hh = a(x_h + (r * h_prev) R_h)
//   h = z * h_prev + (1 - z) * hh
//
// As in lstm.cc, steps run in processing order on time-major copies and the
// nonlinearities go through activation_forward/backward.
#include <cstring>

#include "kernels.h"
#include "rnn_steps.h"

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

}  // namespace

void gru_forward(float* out, float* cache, const float* x, const float* kernel, const float* recurrent,
                 const float* bias, const RnnGeom& g) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 3 * U;
  const GruCache<float> k(cache, g);
  rnn_gather_steps(k.xs, x, g);
  const float* input_bias = bias;
  const float* recurrent_bias = bias && g.reset_after ? bias + G : nullptr;

  // a[T*N,3U] = xs @ kernel + input_bias for every step at once; the recurrent
  // parts are added step by step below.
  if (input_bias) {
    for (int64_t r = 0; r < T * N; ++r) std::memcpy(k.a + r * G, input_bias, sizeof(float) * G);
  }
  sgemm(false, false, T * N, G, I, 1.0f, k.xs, kernel, input_bias ? 1.0f : 0.0f, k.a);

  for (int64_t s = 0; s < T; ++s) {
    float* as = k.a + s * N * G;
    float* gs = k.gt + s * N * G;
    float* recs = k.rec + s * N * G;
    float* hs = k.h + s * N * U;
    const float* h_prev = s > 0 ? k.h + (s - 1) * N * U : nullptr;
    if (g.reset_after) {
      for (int64_t n = 0; n < N; ++n) {
        if (recurrent_bias) std::memcpy(recs + n * G, recurrent_bias, sizeof(float) * G);
        else std::memset(recs + n * G, 0, sizeof(float) * G);
      }
      if (h_prev) sgemm(false, false, N, G, U, 1.0f, h_prev, recurrent, 1.0f, recs);
    } else if (h_prev) {
      sgemm_ld(false, false, N, 2 * U, U, 1.0f, h_prev, U, recurrent, G, 0.0f, recs, G);  // [h R_z, h R_r]
    } else {
      std::memset(recs, 0, sizeof(float) * N * G);
    }
    for (int64_t n = 0; n < N; ++n) {
      float* ar = as + n * G;
      float* gr = gs + n * G;
      float* recr = recs + n * G;
      for (int64_t u = 0; u < 2 * U; ++u) ar[u] += recr[u];
      activation_forward(g.recurrent_activation, gr, ar, 1, 2 * U);  // z, r
      const float* r = gr + U;
      if (g.reset_after) {
        for (int64_t u = 0; u < U; ++u) ar[2 * U + u] += r[u] * recr[2 * U + u];
      } else {
        // rec_h holds r * h_prev, the left factor of the candidate's recurrent GEMM.
        for (int64_t u = 0; u < U; ++u) recr[2 * U + u] = h_prev ? r[u] * h_prev[n * U + u] : 0.0f;
      }
    }
    if (!g.reset_after && h_prev) {
      sgemm_ld(false, false, N, U, U, 1.0f, recs + 2 * U, G, recurrent + 2 * U, G, 1.0f, as + 2 * U, G);
    }
    for (int64_t n = 0; n < N; ++n) {
      const float* ar = as + n * G;
      float* gr = gs + n * G;
      activation_forward(g.activation, gr + 2 * U, ar + 2 * U, 1, U);  // hh
      const float* z = gr;
      const float* hh = gr + 2 * U;
      float* hr = hs + n * U;
      for (int64_t u = 0; u < U; ++u) {
        hr[u] = (h_prev ? z[u] * h_prev[n * U + u] : 0.0f) + (1.0f - z[u]) * hh[u];
      }
    }
  }
  rnn_scatter_outputs(out, k.h, g);
}

void gru_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch,
                  const float* dout, const float* cache, const float* kernel, const float* recurrent,
                  const RnnGeom& g) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 3 * U;
  const GruCache<const float> k(cache, g);
  float* da = scratch;              // [T,N,3U] gradients of the pre-activations a
  float* drec = da + T * N * G;     // [T,N,3U] gradients of rec (reset_after only)
  float* dh = drec + T * N * G;     // [N,U] dL/dh_s flowing back from step s+1
  float* drh = dh + N * U;          // [N,U] dL/d(r*h_prev) (reset before only)
  float* dxs = drh + N * U;         // [T,N,I] time-major input gradient
  std::memset(dh, 0, sizeof(float) * N * U);

  for (int64_t s = T - 1; s >= 0; --s) {
    const float* as = k.a + s * N * G;
    const float* gs = k.gt + s * N * G;
    const float* recs = k.rec + s * N * G;
    const float* h_prev = s > 0 ? k.h + (s - 1) * N * U : nullptr;
    float* das = da + s * N * G;
    float* drecs = drec + s * N * G;
    for (int64_t n = 0; n < N; ++n) {
      const float* gr = gs + n * G;
      const float* z = gr;
      const float* hh = gr + 2 * U;
      const float* dout_r = rnn_output_grad_row(dout, s, n, g);
      float* dar = das + n * G;
      float* dhr = dh + n * U;
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + (dout_r ? dout_r[u] : 0.0f);
        const float hp = h_prev ? h_prev[n * U + u] : 0.0f;
        dar[u] = d * (hp - hh[u]);         // dL/dz
        dar[2 * U + u] = d * (1.0f - z[u]);  // dL/dhh
        dhr[u] = d * z[u];                 // direct path to h_prev
      }
      activation_backward(g.activation, dar + 2 * U, dar + 2 * U, as + n * G + 2 * U, hh, 1, U);
      if (g.reset_after) {
        const float* r = gr + U;
        const float* rec_h = recs + n * G + 2 * U;
        for (int64_t u = 0; u < U; ++u) dar[U + u] = dar[2 * U + u] * rec_h[u];  // dL/dr
        activation_backward(g.recurrent_activation, dar, dar, as + n * G, gr, 1, 2 * U);
        float* drr = drecs + n * G;
        std::memcpy(drr, dar, sizeof(float) * 2 * U);
        for (int64_t u = 0; u < U; ++u) drr[2 * U + u] = dar[2 * U + u] * r[u];
      }
    }
    if (g.reset_after) {
      if (s > 0) sgemm(false, true, N, U, G, 1.0f, drecs, recurrent, 1.0f, dh);  // dh += drec @ R^T
      continue;
    }
    // Reset before: the candidate reaches h_prev and r through (r * h_prev) R_h.
    if (s > 0) sgemm_ld(false, true, N, U, U, 1.0f, das + 2 * U, G, recurrent + 2 * U, G, 0.0f, drh, U);
    for (int64_t n = 0; n < N; ++n) {
      float* dar = das + n * G;
      const float* gr = gs + n * G;
      const float* r = gr + U;
      float* dhr = dh + n * U;
      for (int64_t u = 0; u < U; ++u) {
        if (h_prev) {
          dar[U + u] = drh[n * U + u] * h_prev[n * U + u];  // dL/dr
          dhr[u] += drh[n * U + u] * r[u];
        } else {
          dar[U + u] = 0.0f;
        }
      }
      activation_backward(g.recurrent_activation, dar, dar, as + n * G, gr, 1, 2 * U);
    }
    if (s > 0) sgemm_ld(false, true, N, U, 2 * U, 1.0f, das, G, recurrent, G, 1.0f, dh, U);  // += da_zr @ R_zr^T
  }

  sgemm(true, false, I, G, T * N, 1.0f, k.xs, da, 1.0f, dkernel);
  if (dbias) rnn_sum_rows(dbias, da, T * N, G);
  // Recurrent weights: h_{-1} = 0, so step 0 adds nothing (but does reach the recurrent bias).
  const int64_t RN = (T - 1) * N;
  if (g.reset_after) {
    if (RN > 0) sgemm(true, false, U, G, RN, 1.0f, k.h, drec + N * G, 1.0f, drecurrent);
    if (dbias) rnn_sum_rows(dbias + G, drec, T * N, G);
  } else if (RN > 0) {
    sgemm_ld(true, false, U, 2 * U, RN, 1.0f, k.h, U, da + N * G, G, 1.0f, drecurrent, G);
    sgemm_ld(true, false, U, U, RN, 1.0f, k.rec + N * G + 2 * U, G, da + N * G + 2 * U, G, 1.0f,
            drecurrent + 2 * U, G);
  }
  if (dx) {
    sgemm(false, true, T * N, I, G, 1.0f, da, kernel, 0.0f, dxs);
    rnn_scatter_input_grad(dx, dxs, g);
  }
}

}  // namespace blasnet
