#include <algorithm>
#include <cmath>

#include "kernels.h"

namespace blasnet {
namespace {

// Per-channel sums are kept in double, in blocks of channels on the stack, so a
// kernel allocates nothing and still walks x[R,C] row by row (contiguously).
constexpr int64_t kBlock = 256;

// sum[c - c0] = sum_r x[r,c] for channels [c0, c0 + width).
void channel_sums(double* sum, const float* x, int64_t R, int64_t C, int64_t c0, int64_t width) {
  std::fill(sum, sum + width, 0.0);
  for (int64_t r = 0; r < R; ++r) {
    const float* row = x + r * C + c0;
    for (int64_t j = 0; j < width; ++j) sum[j] += row[j];
  }
}

// out[r,c] = (x[r,c] - mean[c]) * inv_std[c] * gamma[c] + beta[c]
void normalize(float* out, const float* x, const float* mean, const float* inv_std,
               const float* gamma, const float* beta, int64_t R, int64_t C) {
  for (int64_t r = 0; r < R; ++r) {
    const float* xr = x + r * C;
    float* yr = out + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const float g = gamma ? gamma[c] : 1.0f;
      const float b = beta ? beta[c] : 0.0f;
      yr[c] = (xr[c] - mean[c]) * (inv_std[c] * g) + b;
    }
  }
}

}  // namespace

void batchnorm_forward_training(float* out, float* mean, float* inv_std, float* moving_mean,
                                float* moving_variance, const float* x, const float* gamma,
                                const float* beta, int64_t R, int64_t C, float momentum,
                                float epsilon) {
  double sum[kBlock], sq[kBlock];
  for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
    const int64_t width = std::min(kBlock, C - c0);
    channel_sums(sum, x, R, C, c0, width);
    for (int64_t j = 0; j < width; ++j) sum[j] /= static_cast<double>(R);
    // Two passes (mean, then squared deviations) avoid cancellation in E[x^2] - E[x]^2.
    std::fill(sq, sq + width, 0.0);
    for (int64_t r = 0; r < R; ++r) {
      const float* row = x + r * C + c0;
      for (int64_t j = 0; j < width; ++j) {
        const double d = row[j] - sum[j];
        sq[j] += d * d;
      }
    }
    for (int64_t j = 0; j < width; ++j) {
      const int64_t c = c0 + j;
      // Biased variance both for normalising and for the moving average, as Keras 3
      // (ops.moments) and tfjs do.
      const double variance = sq[j] / static_cast<double>(R);
      mean[c] = static_cast<float>(sum[j]);
      inv_std[c] = static_cast<float>(1.0 / std::sqrt(variance + epsilon));
      moving_mean[c] = static_cast<float>(moving_mean[c] * static_cast<double>(momentum) +
                                          sum[j] * (1.0 - momentum));
      moving_variance[c] = static_cast<float>(moving_variance[c] * static_cast<double>(momentum) +
                                              variance * (1.0 - momentum));
    }
  }
  normalize(out, x, mean, inv_std, gamma, beta, R, C);
}

void batchnorm_forward_inference(float* out, float* mean, float* inv_std, const float* x,
                                 const float* gamma, const float* beta, const float* moving_mean,
                                 const float* moving_variance, int64_t R, int64_t C, float epsilon) {
  for (int64_t c = 0; c < C; ++c) {
    mean[c] = moving_mean[c];
    inv_std[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(moving_variance[c]) + epsilon));
  }
  normalize(out, x, mean, inv_std, gamma, beta, R, C);
}

void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* mean, const float* inv_std, int64_t R,
                        int64_t C, bool batch_statistics) {
  double sum_dy[kBlock], sum_dy_xhat[kBlock];
  // With moving statistics dx does not read the sums: a frozen layer skips that pass over x and dy.
  const bool need_sums = batch_statistics || dgamma || dbeta;
  for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
    const int64_t width = std::min(kBlock, C - c0);
    std::fill(sum_dy, sum_dy + width, 0.0);
    std::fill(sum_dy_xhat, sum_dy_xhat + width, 0.0);
    for (int64_t r = 0; need_sums && r < R; ++r) {
      const float* xr = x + r * C + c0;
      const float* dyr = dy + r * C + c0;
      for (int64_t j = 0; j < width; ++j) {
        const double xhat = (static_cast<double>(xr[j]) - mean[c0 + j]) * inv_std[c0 + j];
        sum_dy[j] += dyr[j];
        sum_dy_xhat[j] += dyr[j] * xhat;
      }
    }
    for (int64_t j = 0; j < width; ++j) {
      if (dgamma) dgamma[c0 + j] += static_cast<float>(sum_dy_xhat[j]);
      if (dbeta) dbeta[c0 + j] += static_cast<float>(sum_dy[j]);
    }
    if (!dx) continue;
    // With batch statistics the mean and variance depend on x:
    //   dx = gamma * inv_std * (dy - mean(dy) - xhat * mean(dy * xhat)).
    // With moving statistics they are constants: dx = gamma * inv_std * dy.
    const double inv_r = batch_statistics ? 1.0 / static_cast<double>(R) : 0.0;
    for (int64_t r = 0; r < R; ++r) {
      const float* xr = x + r * C + c0;
      const float* dyr = dy + r * C + c0;
      float* dxr = dx + r * C + c0;
      for (int64_t j = 0; j < width; ++j) {
        const int64_t c = c0 + j;
        const double scale = static_cast<double>(gamma ? gamma[c] : 1.0f) * inv_std[c];
        const double xhat = (static_cast<double>(xr[j]) - mean[c]) * inv_std[c];
        dxr[j] = static_cast<float>(scale * (dyr[j] - sum_dy[j] * inv_r - xhat * sum_dy_xhat[j] * inv_r));
      }
    }
  }
}

}  // namespace blasnet
