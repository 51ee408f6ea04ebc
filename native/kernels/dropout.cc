#include "kernels.h"

namespace blasnet {

void dropout_forward(float* out, const float* x, const float* mask, int64_t n, float rate) {
  // Inverted dropout: kept values are scaled so the expected output equals x.
  const float scale = 1.0f / (1.0f - rate);
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * (mask[i] * scale);
}

void dropout_backward(float* dx, const float* dy, const float* mask, int64_t n, float rate) {
  const float scale = 1.0f / (1.0f - rate);
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (mask[i] * scale);
}

}  // namespace blasnet
