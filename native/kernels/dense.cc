#include <cstring>

#include "kernels.h"

namespace blasnet {

void dense_forward(float* out, const float* x, const float* w, const float* b,
                   int64_t N, int64_t I, int64_t U, ThreadPool& pool) {
  // out[N,U]: start from the broadcast bias so the GEMM accumulates onto it.
  if (b) {
    for (int64_t n = 0; n < N; ++n) std::memcpy(out + n * U, b, sizeof(float) * U);
  }
  sgemm(false, false, N, U, I, 1.0f, x, w, b ? 1.0f : 0.0f, out, &pool);
}

void dense_backward(float* dx, float* dw, float* db, const float* dy,
                    const float* x, const float* w, int64_t N, int64_t I, int64_t U, ThreadPool& pool) {
  sgemm(true, false, I, U, N, 1.0f, x, dy, 1.0f, dw, &pool);  // dw[I,U] += x^T[I,N] dy[N,U]
  if (db) {
    for (int64_t n = 0; n < N; ++n) {
      const float* row = dy + n * U;
      for (int64_t u = 0; u < U; ++u) db[u] += row[u];
    }
  }
  if (dx) sgemm(false, true, N, I, U, 1.0f, dy, w, 0.0f, dx, &pool);  // dx[N,I] = dy[N,U] w^T[U,I]
}

}  // namespace blasnet
