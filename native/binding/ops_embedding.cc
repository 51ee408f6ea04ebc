// Exports for the embedding kernels. Indices come from user data, so every one
// is checked against the table size before a kernel touches memory.
#include <string>

#include "../kernels/kernels.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// Throws a RangeError naming the first index outside [0, V) and its [n, l] position.
void CheckEmbeddingIndices(const Args& a, const int32_t* idx, int64_t N, int64_t L, int64_t V) {
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t l = 0; l < L; ++l) {
      const int32_t i = idx[n * L + l];
      if (i < 0 || i >= V) {
        a.Fail("index " + std::to_string(i) + " at [" + std::to_string(n) + ", " + std::to_string(l) +
               "] is outside [0, " + std::to_string(V) + ")");
      }
    }
  }
}

// [sync] embeddingForward(out[N*L*D], idx[N*L] Int32Array, table[V*D], N, L, V, D)
// out[n,l,:] = table[idx[n,l],:]. RangeError when an index is outside [0, V).
Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingForward", 7);
  const int64_t N = a.Dim(3, "N"), L = a.Dim(4, "L"), V = a.Dim(5, "V"), D = a.Dim(6, "D");
  float* out = a.F32(0, "out", a.Product({N, L, D}), "N*L*D");
  const int32_t* idx = a.I32(1, "idx", a.Product({N, L}), "N*L");
  const float* table = a.F32(2, "table", a.Product({V, D}), "V*D");
  CheckEmbeddingIndices(a, idx, N, L, V);
  embedding_forward(out, idx, table, N * L, D);
  return info.Env().Undefined();
}

// [sync] embeddingBackward(dtable[V*D]|null, dout[N*L*D], idx[N*L] Int32Array, N, L, V, D)
// dtable[idx[n,l],:] += dout[n,l,:] (accumulates). RangeError when an index is outside [0, V),
// checked even when dtable is null (a frozen table), which then leaves nothing to do.
Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a(info, "embeddingBackward", 7);
  const int64_t N = a.Dim(3, "N"), L = a.Dim(4, "L"), V = a.Dim(5, "V"), D = a.Dim(6, "D");
  float* dtable = a.F32OrNull(0, "dtable", a.Product({V, D}), "V*D");
  const float* dout = a.F32(1, "dout", a.Product({N, L, D}), "N*L*D");
  const int32_t* idx = a.I32(2, "idx", a.Product({N, L}), "N*L");
  CheckEmbeddingIndices(a, idx, N, L, V);
  embedding_backward(dtable, dout, idx, N * L, D);
  return info.Env().Undefined();
}

}  // namespace

void RegisterEmbeddingOps(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "embeddingForward", EmbeddingForward);
  Export(env, exports, "embeddingBackward", EmbeddingBackward);
}

}  // namespace blasnet
