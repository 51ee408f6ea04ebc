// Helpers shared by lstm.cc and gru.cc (not part of the kernel API): moving
// between the batch-major tensors Keras uses ([N,T,*]) and the time-major,
// processing-order buffers the recurrences run on ([T,N,*], step s first).
//
// Step s reads input timestep t(s) = go_backwards ? T-1-s : s. Output
// timestep s is h_s whatever the direction: Keras returns a go_backwards
// sequence in processing order (Bidirectional flips it back).
//
// Also how the work is split across the pool, and the gate nonlinearities,
// inlined into the cells' multiversioned step loops.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "vec_math.h"

namespace blasnet {

inline int64_t rnn_input_step(int64_t s, const RnnGeom& g) { return g.go_backwards ? g.T - 1 - s : s; }

// Calls body(lo, hi) on chunks of the N batch rows across the pool, at least two
// per thread when the batch allows, so that when one thread is held up (a busy
// machine) the other takes more rows. Chunks of 8 rows where there are enough:
// sgemm_small then reuses each block of weights from L1 for two 4-row tiles.
// Rows are independent and computed the same way in any chunk.
template <typename Body>
void rnn_for_rows(ThreadPool& pool, int64_t N, Body&& body) {
  const int64_t threads = pool.size();
  int64_t chunks = 1;
  if (threads > 1) {
    chunks = N / 8;
    if (chunks < 2 * threads) chunks = N / 4 < 2 * threads ? N / 4 : 2 * threads;
    if (chunks < 1) chunks = 1;
  }
  pool.run(chunks, [&](int64_t c) { body(N * c / chunks, N * (c + 1) / chunks); });
}

// Calls body(j0, j1) on column blocks of [0, G) across the pool, about two per
// thread, with boundaries on multiples of 16 floats: the weight gradients over all
// steps, where a block needs only its slice of the gate gradients.
template <typename Body>
void rnn_for_column_blocks(ThreadPool& pool, int64_t G, Body&& body) {
  int64_t blocks = pool.size() > 1 ? G / 64 : 1;
  if (blocks > 2 * pool.size()) blocks = 2 * pool.size();
  if (blocks < 1) blocks = 1;
  auto edge = [&](int64_t b) { return b == blocks ? G : (G * b / blocks) / 16 * 16; };
  pool.run(blocks, [&](int64_t b) { body(edge(b), edge(b + 1)); });
}

// sums[j] += sum over r of m[r * ld + j] for j in [j0, j1), in row order: a bias
// gradient, summed by the column block that already reads those columns.
inline void rnn_column_sums(float* sums, const float* m, int64_t rows, int64_t ld, int64_t j0, int64_t j1) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = m + r * ld;
    for (int64_t j = j0; j < j1; ++j) sums[j] += row[j];
  }
}

// xs[s,n,:] = x[n,t(s),:] for batch rows n in [lo, hi)
inline void rnn_gather_steps(float* xs, const float* x, const RnnGeom& g, int64_t lo, int64_t hi) {
  for (int64_t n = lo; n < hi; ++n) {
    for (int64_t s = 0; s < g.T; ++s) {
      std::memcpy(xs + (s * g.N + n) * g.I, x + (n * g.T + rnn_input_step(s, g)) * g.I, sizeof(float) * g.I);
    }
  }
}

// Batch rows [lo, hi) of out[N,T,U] from hs[T,N,U] with return_sequences, else
// of out[N,U] = hs[T-1].
inline void rnn_scatter_outputs(float* out, const float* hs, const RnnGeom& g, int64_t lo, int64_t hi) {
  if (!g.return_sequences) {
    std::memcpy(out + lo * g.U, hs + ((g.T - 1) * g.N + lo) * g.U, sizeof(float) * (hi - lo) * g.U);
    return;
  }
  for (int64_t n = lo; n < hi; ++n) {
    for (int64_t s = 0; s < g.T; ++s) {
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

// ---- Masked steps (Keras's mask; see kernels.h) ------------------------------
// A masked step runs with the others (its rows sit in the same GEMMs), then these
// put back what skipping it means. Everything about masks is here: each kernel
// calls rnn_carry_masked after a forward step, rnn_hold_masked before a backward
// step and rnn_release_masked once dL/dh_{s-1} is formed, before dx is.

inline bool rnn_step_masked(const uint8_t* mask, int64_t s, int64_t n, const RnnGeom& g) {
  return mask[n * g.T + rnn_input_step(s, g)] == 0;
}

// Forward, after step s on rows [lo, hi): a masked row keeps the previous state
// (zeros at s = 0) in each of the `count` time-major [T,N,U] state arrays.
inline void rnn_carry_masked(float* const* states, int count, const uint8_t* mask, int64_t s, int64_t lo,
                             int64_t hi, const RnnGeom& g) {
  const int64_t N = g.N, U = g.U;
  for (int64_t n = lo; n < hi; ++n) {
    if (!rnn_step_masked(mask, s, n, g)) continue;
    for (int k = 0; k < count; ++k) {
      float* row = states[k] + (s * N + n) * U;
      if (s > 0) std::memcpy(row, row - N * U, sizeof(float) * U);
      else std::memset(row, 0, sizeof(float) * U);
    }
  }
}

// Backward, before step s on rows [lo, hi): a masked row's dL/dh_s plus its output
// gradient (the output is h_{s-1}) and dL/dc_s (dc may be null: GRU) pass unchanged
// to step s-1. They wait in the row's gate gradients of step s-1 (G >= 2U floats, not
// yet written); at s = 0 nothing is passed on.
inline void rnn_hold_masked(float* dgates, int64_t G, const float* dh, const float* dc, const float* dout,
                            const uint8_t* mask, int64_t s, int64_t lo, int64_t hi, const RnnGeom& g) {
  if (s == 0) return;
  const int64_t U = g.U;
  for (int64_t n = lo; n < hi; ++n) {
    if (!rnn_step_masked(mask, s, n, g)) continue;
    float* held = dgates + ((s - 1) * g.N + n) * G;
    const float* dout_r = rnn_output_grad_row(dout, s, n, g);
    for (int64_t u = 0; u < U; ++u) held[u] = dh[n * U + u] + (dout_r ? dout_r[u] : 0.0f);
    if (dc) std::memcpy(held + U, dc + n * U, sizeof(float) * U);
  }
}

// Backward, after step s and its dL/dh_{s-1} on rows [lo, hi): a masked row's gate
// gradients (and extra, [T,N,G], if not null: the GRU's drec) become 0, and dh, dc
// take back what rnn_hold_masked kept.
inline void rnn_release_masked(float* dgates, float* extra, int64_t G, float* dh, float* dc, const uint8_t* mask,
                               int64_t s, int64_t lo, int64_t hi, const RnnGeom& g) {
  const int64_t U = g.U;
  for (int64_t n = lo; n < hi; ++n) {
    if (!rnn_step_masked(mask, s, n, g)) continue;
    const int64_t row = s * g.N + n;
    std::memset(dgates + row * G, 0, sizeof(float) * G);
    if (extra) std::memset(extra + row * G, 0, sizeof(float) * G);
    if (s == 0) continue;
    const float* held = dgates + (row - g.N) * G;
    std::memcpy(dh + n * U, held, sizeof(float) * U);
    if (dc) std::memcpy(dc + n * U, held + U, sizeof(float) * U);
  }
}

// dst[C,R] = src[R,C]^T: the backward steps multiply by the weights transposed,
// read by rows (sgemm_small). Small (a weight matrix), so not worth the pool.
inline void rnn_transpose(float* dst, const float* src, int64_t R, int64_t C) {
  constexpr int64_t kBlock = 8;  // rows of src read together, 32 bytes of dst written
  for (int64_t r0 = 0; r0 < R; r0 += kBlock) {
    const int64_t r1 = r0 + kBlock < R ? r0 + kBlock : R;
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t r = r0; r < r1; ++r) dst[c * R + r] = src[r * C + c];
    }
  }
}

// y[n] = f(x[n]) for a gate: sigmoid and tanh inline (so the caller's loop vectorises),
// any other activation through activation_forward. Both give the Activation layer's values.
BLASNET_INLINE void gate_forward(Activation f, float* __restrict y, const float* __restrict x, int64_t n) {
  switch (f) {
    case Activation::kSigmoid:
      for (int64_t i = 0; i < n; ++i) y[i] = sigmoid_vec(x[i]);
      return;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = tanh_vec(x[i]);
      return;
    default:
      activation_forward(f, y, x, 1, n);
  }
}

// dx[n] = dy[n] * f'(x[n]) given y = f(x), as activation_backward; dx may alias dy.
BLASNET_INLINE void gate_backward(Activation f, float* dx, const float* dy, const float* x, const float* y, int64_t n) {
  switch (f) {
    case Activation::kSigmoid:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
      return;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    default:
      activation_backward(f, dx, dy, x, y, 1, n);
  }
}

}  // namespace blasnet
