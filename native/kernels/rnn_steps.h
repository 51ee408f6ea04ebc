// Helpers shared by lstm.cc and gru.cc (not part of the kernel API): moving
// between the batch-major tensors Keras uses ([N,T,*]) and the time-major,
// processing-order buffers the recurrences run on ([T,N,*], step s first).
//
// Step s reads input timestep t(s) = go_backwards ? T-1-s : s. Output
// timestep s is h_s whatever the direction: Keras returns a go_backwards
// sequence in processing order (Bidirectional flips it back).
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace blasnet {

inline int64_t rnn_input_step(int64_t s, const RnnGeom& g) { return g.go_backwards ? g.T - 1 - s : s; }

// xs[s,n,:] = x[n,t(s),:]
inline void rnn_gather_steps(float* xs, const float* x, const RnnGeom& g) {
  for (int64_t s = 0; s < g.T; ++s) {
    const int64_t t = rnn_input_step(s, g);
    for (int64_t n = 0; n < g.N; ++n) {
      std::memcpy(xs + (s * g.N + n) * g.I, x + (n * g.T + t) * g.I, sizeof(float) * g.I);
    }
  }
}

// dx[n,t(s),:] = dxs[s,n,:] (overwrites dx)
inline void rnn_scatter_input_grad(float* dx, const float* dxs, const RnnGeom& g) {
  for (int64_t s = 0; s < g.T; ++s) {
    const int64_t t = rnn_input_step(s, g);
    for (int64_t n = 0; n < g.N; ++n) {
      std::memcpy(dx + (n * g.T + t) * g.I, dxs + (s * g.N + n) * g.I, sizeof(float) * g.I);
    }
  }
}

// out[N,T,U] from hs[T,N,U] with return_sequences, else out[N,U] = hs[T-1].
inline void rnn_scatter_outputs(float* out, const float* hs, const RnnGeom& g) {
  if (!g.return_sequences) {
    std::memcpy(out, hs + (g.T - 1) * g.N * g.U, sizeof(float) * g.N * g.U);
    return;
  }
  for (int64_t s = 0; s < g.T; ++s) {
    for (int64_t n = 0; n < g.N; ++n) {
      std::memcpy(out + (n * g.T + s) * g.U, hs + (s * g.N + n) * g.U, sizeof(float) * g.U);
    }
  }
}

// The row of dout ([N,T,U] or [N,U]) for sample n at step s, or null when step
// s is not an output (every step but the last without return_sequences).
inline const float* rnn_output_grad_row(const float* dout, int64_t s, int64_t n, const RnnGeom& g) {
  if (g.return_sequences) return dout + (n * g.T + s) * g.U;
  return s == g.T - 1 ? dout + n * g.U : nullptr;
}

// sums[K] += column sums of m[R,K]
inline void rnn_sum_rows(float* sums, const float* m, int64_t R, int64_t K) {
  for (int64_t r = 0; r < R; ++r) {
    const float* row = m + r * K;
    for (int64_t k = 0; k < K; ++k) sums[k] += row[k];
  }
}

}  // namespace blasnet
