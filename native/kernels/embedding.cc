#include <cstring>

#include "kernels.h"

namespace blasnet {

void embedding_forward(float* out, const int32_t* idx, const float* table, int64_t R, int64_t D) {
  // out[R,D]: row r is table[idx[r], :]. Indices were checked by the caller.
  for (int64_t r = 0; r < R; ++r) {
    std::memcpy(out + r * D, table + static_cast<int64_t>(idx[r]) * D, sizeof(float) * D);
  }
}

void embedding_backward(float* dtable, const float* dout, const int32_t* idx, int64_t R, int64_t D) {
  // Scatter-add: an index that occurs k times receives the sum of its k output gradients.
  if (!dtable) return;  // a frozen table: nothing to accumulate
  for (int64_t r = 0; r < R; ++r) {
    float* row = dtable + static_cast<int64_t>(idx[r]) * D;
    const float* g = dout + r * D;
    for (int64_t d = 0; d < D; ++d) row[d] += g[d];
  }
}

}  // namespace blasnet
