// Dense layers as GEMMs whose blocks are split across the pool; each thread adds
// the bias and applies ReLU to the block it just computed, while it is in cache.
#include <algorithm>
#include <vector>

#include "kernels.h"

namespace blasnet {
namespace {

// Below this many multiply-adds a product runs on the calling thread...
constexpr int64_t kParallelWork = int64_t{1} << 20;
// ...unless its weights pass an L2 cache (1 MiB): then even a single row (batch-1
// inference) is bound by streaming them, which two threads do twice as fast.
constexpr int64_t kParallelWeights = int64_t{1} << 18;
// Slices of at least this many rows or columns.
constexpr int64_t kGrain = 16;
// Up to this many rows (batch-1 inference, small batches) the product reads w where it
// lies: OpenBLAS would first copy (pack) all of w, which costs more than the product.
constexpr int64_t kFewRows = 4;

// Rows of w per block of the few-rows product below (128 KiB of w at 128 units).
constexpr int64_t kRowBlock = 256;

bool Serial(const ThreadPool& pool, int64_t N, int64_t I, int64_t U) {
  return pool.size() == 1 || (N * I * U < kParallelWork && I * U < kParallelWeights);
}

// A few rows times a large w (batch-1 inference) is bound by reading w once. The
// threads take contiguous blocks of w's rows, which memory streams fastest (split by
// columns, each thread would read part of every row); each block's partial product
// goes to scratch and the partials are summed in block order, so the result does not
// depend on the number of threads.
void few_rows_forward(float* out, const float* x, const float* w, const float* b, int64_t N, int64_t I,
                      int64_t U, Activation act, ThreadPool& pool) {
  const int64_t blocks = (I + kRowBlock - 1) / kRowBlock;
  std::vector<float> partial(blocks * N * U);
  // One chunk per block: a worker that starts late (or is descheduled) takes fewer blocks
  // instead of holding up half of the product.
  pool.run(blocks, [&](int64_t k) {
    const int64_t k0 = k * kRowBlock;
    sgemm_small(false, N, U, std::min(kRowBlock, I - k0), x + k0, I, w + k0 * U, U, partial.data() + k * N * U, U);
  });
  std::copy(partial.begin(), partial.begin() + N * U, out);
  for (int64_t k = 1; k < blocks; ++k) {
    const float* p = partial.data() + k * N * U;
    for (int64_t i = 0; i < N * U; ++i) out[i] += p[i];
  }
  bias_activation_rows(out, U, b, N, U, act);
}

}  // namespace

void dense_forward(float* out, const float* x, const float* w, const float* b,
                   int64_t N, int64_t I, int64_t U, Activation act, ThreadPool& pool) {
  // out[rows lo..hi, cols c0..c1] = x[lo..hi, :] @ w[:, c0..c1], then bias and act.
  if (N <= kFewRows && I * U >= kParallelWeights) return few_rows_forward(out, x, w, b, N, I, U, act, pool);
  auto block = [&](int64_t lo, int64_t hi, int64_t c0, int64_t c1) {
    if (hi - lo <= kFewRows) {
      sgemm_small(false, hi - lo, c1 - c0, I, x + lo * I, I, w + c0, U, out + lo * U + c0, U);
    } else {
      sgemm_ld(false, false, hi - lo, c1 - c0, I, 1.0f, x + lo * I, I, w + c0, U, 0.0f, out + lo * U + c0, U);
    }
    bias_activation_rows(out + lo * U + c0, U, b ? b + c0 : nullptr, hi - lo, c1 - c0, act);
  };
  if (Serial(pool, N, I, U)) {
    block(0, N, 0, U);
  } else if (N >= U || N >= 4 * kGrain) {
    pool.parallel_for(N, kGrain, [&](int64_t lo, int64_t hi) { block(lo, hi, 0, U); });
  } else {
    // A short batch of wide outputs: split the columns (each thread reads its part of w).
    pool.parallel_for(U, kGrain, [&](int64_t c0, int64_t c1) { block(0, N, c0, c1); });
  }
}

void dense_backward(float* dx, float* dw, float* db, float* dy, const float* y, const float* x,
                    const float* w, int64_t N, int64_t I, int64_t U, Activation act, ThreadPool& pool) {
  if (act == Activation::kRelu) relu_mask(dy, y, N * U, pool);  // dy becomes dz
  if (db) column_sums(db, dy, N, U, pool);
  if (!dw && !dx) return;
  // Input features lo..hi: dw[lo..hi, :] += x[:, lo..hi]^T dz and dx[:, lo..hi] = dz w[lo..hi, :]^T.
  // One pass per slice keeps the rows of w and dw a thread touches in its own cache.
  auto slice = [&](int64_t lo, int64_t hi) {
    if (dw) sgemm_ld(true, false, hi - lo, U, N, 1.0f, x + lo, I, dy, U, 1.0f, dw + lo * U, U);
    if (dx) sgemm_ld(false, true, N, hi - lo, U, 1.0f, dy, U, w + lo * U, U, 0.0f, dx + lo, I);
  };
  if (Serial(pool, N, I, U)) {
    slice(0, I);
  } else {
    pool.parallel_for(I, kGrain, slice);
  }
}

}  // namespace blasnet
