// LSTM as Keras computes it (implementation 2): gates i, f, c, o in column
// blocks of kernel [I,4U], recurrent [U,4U] and bias [4U].
//   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
//   c = f*c_prev + i*g        h = o*a(c)
// where a is the activation and ra the recurrent activation.
//
// Everything runs in processing order s = 0..T-1 on time-major copies, so each
// step's rows are contiguous for the GEMMs; go_backwards only changes which
// input timestep step s reads. The gate nonlinearities go through
// activation_forward/backward on each row's gate blocks, so LSTM uses exactly
// the definitions of the Activation layer.
#include <cstring>

#include "kernels.h"
#include "rnn_steps.h"

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

}  // namespace

void lstm_forward(float* out, float* cache, const float* x, const float* kernel,
                  const float* recurrent, const float* bias, const RnnGeom& g) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 4 * U;
  const LstmCache<float> k(cache, g);
  rnn_gather_steps(k.xs, x, g);

  // z[T*N,4U] = xs[T*N,I] @ kernel + bias: the input projection of every step at once.
  if (bias) {
    for (int64_t r = 0; r < T * N; ++r) std::memcpy(k.z + r * G, bias, sizeof(float) * G);
  }
  sgemm(false, false, T * N, G, I, 1.0f, k.xs, kernel, bias ? 1.0f : 0.0f, k.z);

  for (int64_t s = 0; s < T; ++s) {
    float* zs = k.z + s * N * G;
    float* as = k.a + s * N * G;
    float* cs = k.c + s * N * U;
    float* acs = k.ac + s * N * U;
    float* hs = k.h + s * N * U;
    const float* h_prev = s > 0 ? k.h + (s - 1) * N * U : nullptr;
    const float* c_prev = s > 0 ? k.c + (s - 1) * N * U : nullptr;
    if (h_prev) sgemm(false, false, N, G, U, 1.0f, h_prev, recurrent, 1.0f, zs);  // zs += h_prev @ R
    for (int64_t n = 0; n < N; ++n) {
      const float* zr = zs + n * G;
      float* ar = as + n * G;
      activation_forward(g.recurrent_activation, ar, zr, 1, 2 * U);              // i, f
      activation_forward(g.activation, ar + 2 * U, zr + 2 * U, 1, U);             // g
      activation_forward(g.recurrent_activation, ar + 3 * U, zr + 3 * U, 1, U);   // o
      const float* ig = ar;
      const float* fg = ar + U;
      const float* gg = ar + 2 * U;
      float* cr = cs + n * U;
      for (int64_t u = 0; u < U; ++u) {
        cr[u] = ig[u] * gg[u] + (c_prev ? fg[u] * c_prev[n * U + u] : 0.0f);
      }
      float* acr = acs + n * U;
      activation_forward(g.activation, acr, cr, 1, U);
      const float* og = ar + 3 * U;
      float* hr = hs + n * U;
      for (int64_t u = 0; u < U; ++u) hr[u] = og[u] * acr[u];
    }
  }
  rnn_scatter_outputs(out, k.h, g);
}

void lstm_backward(float* dx, float* dkernel, float* drecurrent, float* dbias, float* scratch,
                   const float* dout, const float* cache, const float* kernel,
                   const float* recurrent, const RnnGeom& g) {
  const int64_t N = g.N, T = g.T, I = g.I, U = g.U, G = 4 * U;
  const LstmCache<const float> k(cache, g);
  float* dz = scratch;                 // [T,N,4U] gradients of the pre-activations
  float* dh = dz + T * N * G;          // [N,U] dL/dh_s flowing back from step s+1
  float* dc = dh + N * U;              // [N,U] dL/dc_s flowing back from step s+1
  float* dxs = dc + N * U;             // [T,N,I] time-major input gradient
  std::memset(dh, 0, sizeof(float) * N * U);
  std::memset(dc, 0, sizeof(float) * N * U);

  for (int64_t s = T - 1; s >= 0; --s) {
    const float* zs = k.z + s * N * G;
    const float* as = k.a + s * N * G;
    const float* cs = k.c + s * N * U;
    const float* acs = k.ac + s * N * U;
    const float* c_prev = s > 0 ? k.c + (s - 1) * N * U : nullptr;
    float* dzs = dz + s * N * G;
    for (int64_t n = 0; n < N; ++n) {
      const float* ar = as + n * G;
      const float* ig = ar;
      const float* fg = ar + U;
      const float* gg = ar + 2 * U;
      const float* og = ar + 3 * U;
      const float* acr = acs + n * U;
      const float* dout_r = rnn_output_grad_row(dout, s, n, g);
      float* dzr = dzs + n * G;
      float* dhr = dh + n * U;
      float* dcr = dc + n * U;
      // dL/dh = carried + this step's output gradient; split it into o and a(c).
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + (dout_r ? dout_r[u] : 0.0f);
        dzr[3 * U + u] = d * acr[u];  // dL/do
        dhr[u] = d * og[u];           // dL/da(c), reusing dh's row as scratch
      }
      activation_backward(g.activation, dhr, dhr, cs + n * U, acr, 1, U);  // dL/dc from h
      for (int64_t u = 0; u < U; ++u) {
        const float d = dhr[u] + dcr[u];
        dzr[u] = d * gg[u];                                   // dL/di
        dzr[U + u] = c_prev ? d * c_prev[n * U + u] : 0.0f;   // dL/df
        dzr[2 * U + u] = d * ig[u];                           // dL/dg
        dcr[u] = d * fg[u];                                   // to c_{s-1}
      }
      const float* zr = zs + n * G;
      activation_backward(g.recurrent_activation, dzr, dzr, zr, ar, 1, 2 * U);
      activation_backward(g.activation, dzr + 2 * U, dzr + 2 * U, zr + 2 * U, ar + 2 * U, 1, U);
      activation_backward(g.recurrent_activation, dzr + 3 * U, dzr + 3 * U, zr + 3 * U, ar + 3 * U, 1, U);
    }
    if (s > 0) sgemm(false, true, N, U, G, 1.0f, dzs, recurrent, 0.0f, dh);  // dh = dz_s @ R^T
  }

  // Weight gradients over all steps at once. h_{-1} = 0, so step 0 adds nothing to dR.
  if (T > 1) sgemm(true, false, U, G, (T - 1) * N, 1.0f, k.h, dz + N * G, 1.0f, drecurrent);
  sgemm(true, false, I, G, T * N, 1.0f, k.xs, dz, 1.0f, dkernel);
  if (dbias) rnn_sum_rows(dbias, dz, T * N, G);
  if (dx) {
    sgemm(false, true, T * N, I, G, 1.0f, dz, kernel, 0.0f, dxs);
    rnn_scatter_input_grad(dx, dxs, g);
  }
}

}  // namespace blasnet
