// Dropout inside the recurrent kernels (lstm.cc, gru.cc; not part of the kernel
// API), as Keras' LSTMCell / GRUCell: a masked operand A (x_s, or h_{s-1}) enters
// gate k's product as (A * m_k) W_k, where W_k is the k-th block of U columns of
// the weights. With one mask (input dropout, implementation 2) that is one product
// (A * m) W. The masked copies are kept in the cache's dropout tail (kernels.h),
// time-major, one row per (step, sample) holding every mask's copy side by side,
// so the weight gradients are GEMMs over all steps as without dropout.
//
// A cell's kernel calls these only when the masks are given: the common path
// (inference, rates 0) does not pass through here.
#pragma once
#include <cstdint>

#include "kernels.h"

namespace blasnet {

// One masked operand: masks [count, N, K] and the copies am [T*N, count*K].
struct RnnMaskedOperand {
  const float* masks = nullptr;
  int64_t count = 0, K = 0;
  float* am = nullptr;

  explicit operator bool() const { return masks != nullptr; }
  int64_t width() const { return count * K; }

  // The copies of step s, rows [lo, hi): am[s*N+n, k*K + j] = a[n-lo, j] * m_k[n, j].
  void mask_rows(const float* a, int64_t lda, int64_t s, int64_t N, int64_t lo, int64_t hi) const {
    for (int64_t n = lo; n < hi; ++n) {
      const float* __restrict src = a + (n - lo) * lda;
      float* __restrict dst = am + (s * N + n) * width();
      for (int64_t k = 0; k < count; ++k) {
        const float* __restrict m = masks + (k * N + n) * K;
        for (int64_t j = 0; j < K; ++j) dst[k * K + j] = src[j] * m[j];
      }
    }
  }

  // z[M, blocks*U] (ld G) = or += sum over gate blocks k < blocks of (A * m_k) W_k,
  // from the copies of step s rows [lo, hi); w [K, G].
  void product(bool accumulate, const float* w, int64_t G, int64_t U, int64_t blocks, float* z, int64_t s, int64_t N,
               int64_t lo, int64_t hi) const {
    const int64_t M = hi - lo;
    const float* a = am + (s * N + lo) * width();
    if (count == 1) {
      sgemm_small(accumulate, M, blocks * U, K, a, K, w, G, z, G);
      return;
    }
    for (int64_t k = 0; k < blocks; ++k) {
      sgemm_small(accumulate, M, U, K, a + k * K, width(), w + k * U, G, z + k * U, G);
    }
  }

  // The operand's gradient, rows [lo, hi): da (ld ldda) = or += sum over gate blocks
  // k < blocks of (dz_k W_k^T) * m_k. dz: rows [M, G] of step s; wt = W^T [G, K]; tmp [M, K].
  void product_backward(float* da, int64_t ldda, bool accumulate, float* tmp, const float* dz, const float* wt,
                        int64_t G, int64_t U, int64_t blocks, int64_t N, int64_t lo, int64_t hi) const {
    const int64_t M = hi - lo;
    if (count == 1) {
      sgemm_small(false, M, K, blocks * U, dz, G, wt, K, tmp, K);
      apply_mask(da, ldda, accumulate, tmp, 0, N, lo, hi);
      return;
    }
    for (int64_t k = 0; k < blocks; ++k) {
      sgemm_small(false, M, K, U, dz + k * U, G, wt + k * U * K, K, tmp, K);
      apply_mask(da, ldda, accumulate || k > 0, tmp, k, N, lo, hi);
    }
  }

  // dw[K, j0:j1) (ld G) += sum over `rows` rows of (A * m_k)^T dz, k the gate of each
  // column; the copies and dz start at the same row.
  void weight_grad(float* dw, const float* dz, int64_t rows, int64_t first_row, int64_t G, int64_t U, int64_t j0,
                   int64_t j1) const {
    const float* a = am + first_row * width();
    if (count == 1) {
      sgemm_ld(true, false, K, j1 - j0, rows, 1.0f, a, K, dz + j0, G, 1.0f, dw + j0, G);
      return;
    }
    for (int64_t j = j0; j < j1;) {
      const int64_t k = j / U, end = (k + 1) * U < j1 ? (k + 1) * U : j1;
      sgemm_ld(true, false, K, end - j, rows, 1.0f, a + k * K, width(), dz + j, G, 1.0f, dw + j, G);
      j = end;
    }
  }

 private:
  void apply_mask(float* da, int64_t ldda, bool accumulate, const float* tmp, int64_t k, int64_t N, int64_t lo,
                  int64_t hi) const {
    for (int64_t n = lo; n < hi; ++n) {
      const float* __restrict t = tmp + (n - lo) * K;
      const float* __restrict m = masks + (k * N + n) * K;
      float* __restrict d = da + (n - lo) * ldda;
      if (accumulate) {
        for (int64_t j = 0; j < K; ++j) d[j] += t[j] * m[j];
      } else {
        for (int64_t j = 0; j < K; ++j) d[j] = t[j] * m[j];
      }
    }
  }
};

// The input and recurrent operands of one call, laid out in the cache's dropout
// tail (which starts at `tail`) and, for backward, the scratch tail [N,I] | [N,U].
struct RnnDropoutRun {
  RnnMaskedOperand input, recurrent;
  float* input_tmp = nullptr;
  float* recurrent_tmp = nullptr;

  RnnDropoutRun(const RnnDropout* d, float* tail, float* scratch_tail, const RnnGeom& g, int64_t gates) {
    if (!d) return;
    if (d->input) {
      input = {d->input, d->input_masks, g.I, tail};
      tail += g.T * g.N * input.width();
    }
    if (d->recurrent) recurrent = {d->recurrent, gates, g.U, tail};
    if (scratch_tail) {
      input_tmp = scratch_tail;
      recurrent_tmp = scratch_tail + g.N * g.I;
    }
  }
};

}  // namespace blasnet
