// Elementwise passes over whole batches, split across the pool when large: the
// activations, and the epilogues the dense and convolution kernels fuse in
// (bias + ReLU after a product, the ReLU mask before its backward pass).
#include "kernels.h"
#include "simd.h"
#include "vec_math.h"

namespace blasnet {
namespace {

// Passes smaller than this are not worth handing to other threads.
constexpr int64_t kElementGrain = int64_t{1} << 15;

// Rows per slice so that a slice holds about kElementGrain values.
int64_t RowGrain(int64_t K) { return K >= kElementGrain ? 1 : kElementGrain / K; }

BLASNET_MULTIVERSION
void bias_relu_rows(float* y, int64_t ld, const float* b, int64_t rows, int64_t cols, bool relu) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * ld;
    if (b && relu) {
      for (int64_t c = 0; c < cols; ++c) row[c] = relu_vec(row[c] + b[c]);
    } else if (b) {
      for (int64_t c = 0; c < cols; ++c) row[c] += b[c];
    } else {
      for (int64_t c = 0; c < cols; ++c) row[c] = relu_vec(row[c]);
    }
  }
}

BLASNET_MULTIVERSION
void relu_mask_range(float* dy, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dy[i] = relu_grad_vec(dy[i], y[i]);
}

BLASNET_MULTIVERSION
void column_sums_range(float* sums, const float* x, int64_t rows, int64_t cols, int64_t lo, int64_t hi) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    for (int64_t c = lo; c < hi; ++c) sums[c] += row[c];
  }
}

}  // namespace

void bias_activation_rows(float* y, int64_t ld, const float* b, int64_t rows, int64_t cols, Activation act) {
  const bool relu = act == Activation::kRelu;
  if (b || relu) bias_relu_rows(y, ld, b, rows, cols, relu);
}

void activation_forward(Activation f, float* y, const float* x, int64_t R, int64_t K, ThreadPool& pool) {
  pool.parallel_for(R, RowGrain(K), [&](int64_t lo, int64_t hi) {
    activation_forward(f, y + lo * K, x + lo * K, hi - lo, K);
  });
}

void activation_backward(Activation f, float* dx, const float* dy, const float* x, const float* y, int64_t R,
                         int64_t K, ThreadPool& pool) {
  pool.parallel_for(R, RowGrain(K), [&](int64_t lo, int64_t hi) {
    activation_backward(f, dx + lo * K, dy + lo * K, x + lo * K, y + lo * K, hi - lo, K);
  });
}

void bias_activation(float* y, int64_t ld, const float* b, int64_t rows, int64_t cols, Activation act,
                     ThreadPool& pool) {
  if (!b && act != Activation::kRelu) return;
  pool.parallel_for(rows, RowGrain(cols), [&](int64_t lo, int64_t hi) {
    bias_activation_rows(y + lo * ld, ld, b, hi - lo, cols, act);
  });
}

void relu_mask(float* dy, const float* y, int64_t n, ThreadPool& pool) {
  pool.parallel_for(n, kElementGrain, [&](int64_t lo, int64_t hi) { relu_mask_range(dy + lo, y + lo, hi - lo); });
}

void column_sums(float* sums, const float* x, int64_t rows, int64_t cols, ThreadPool& pool) {
  if (rows * cols < kElementGrain) {
    column_sums_range(sums, x, rows, cols, 0, cols);
    return;
  }
  // Slices of at least 16 columns, so threads do not share cache lines.
  pool.parallel_for(cols, 16, [&](int64_t lo, int64_t hi) { column_sums_range(sums, x, rows, cols, lo, hi); });
}

}  // namespace blasnet
