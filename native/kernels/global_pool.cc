#include <algorithm>

#include "kernels.h"
#include "simd.h"
#include "vec_math.h"

namespace blasnet {

void global_avg_pool_forward(float* out, const float* x, int64_t N, int64_t S, int64_t C) {
  // out[N,C] = mean over s of x[N,S,C]; summed in double, channel blocks on the stack.
  constexpr int64_t kBlock = 256;
  double sum[kBlock];
  for (int64_t n = 0; n < N; ++n) {
    const float* xn = x + n * S * C;
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t width = std::min(kBlock, C - c0);
      std::fill(sum, sum + width, 0.0);
      for (int64_t s = 0; s < S; ++s) {
        const float* row = xn + s * C + c0;
        for (int64_t j = 0; j < width; ++j) sum[j] += row[j];
      }
      for (int64_t j = 0; j < width; ++j) out[n * C + c0 + j] = static_cast<float>(sum[j] / static_cast<double>(S));
    }
  }
}

void global_avg_pool_backward(float* dx, const float* dy, int64_t N, int64_t S, int64_t C) {
  const float inv_s = 1.0f / static_cast<float>(S);
  for (int64_t n = 0; n < N; ++n) {
    const float* dyn = dy + n * C;
    for (int64_t s = 0; s < S; ++s) {
      float* row = dx + (n * S + s) * C;
      for (int64_t c = 0; c < C; ++c) row[c] = dyn[c] * inv_s;
    }
  }
}

BLASNET_MULTIVERSION
void global_max_pool_forward(float* out, const float* x, int64_t N, int64_t S, int64_t C) {
  for (int64_t n = 0; n < N; ++n) {
    const float* xn = x + n * S * C;
    float* on = out + n * C;
    std::copy(xn, xn + C, on);
    for (int64_t s = 1; s < S; ++s) {
      const float* row = xn + s * C;
      // NaN propagates, as in TF's reduce_max (which Keras's GlobalMaxPooling calls).
      for (int64_t c = 0; c < C; ++c) on[c] = max_takes(row[c], on[c]) ? row[c] : on[c];
    }
  }
}

BLASNET_MULTIVERSION
void global_max_pool_backward(float* dx, const float* dy, const float* x, int64_t N, int64_t S,
                              int64_t C) {
  // The first position holding the maximum (or the last NaN: max_takes) receives the
  // whole gradient. Rows are scanned in order (contiguously), tracking the maximum of
  // a block of channels and where it is.
  constexpr int64_t kBlock = 256;
  float top[kBlock];
  int64_t best[kBlock];
  std::fill(dx, dx + N * S * C, 0.0f);
  for (int64_t n = 0; n < N; ++n) {
    const float* xn = x + n * S * C;
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t width = std::min(kBlock, C - c0);
      std::copy(xn + c0, xn + c0 + width, top);
      std::fill(best, best + width, int64_t{0});
      for (int64_t s = 1; s < S; ++s) {
        const float* row = xn + s * C + c0;
        for (int64_t j = 0; j < width; ++j) {
          const bool takes = max_takes(row[j], top[j]);
          top[j] = takes ? row[j] : top[j];
          best[j] = takes ? s : best[j];
        }
      }
      for (int64_t j = 0; j < width; ++j) dx[(n * S + best[j]) * C + c0 + j] = dy[n * C + c0 + j];
    }
  }
}

}  // namespace blasnet
