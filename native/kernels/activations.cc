#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "vec_math.h"

namespace blasnet {
namespace {

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// The vectorisable definitions the recurrent cells' gates share (vec_math.h).
inline float sigmoid(float x) { return sigmoid_vec(x); }

inline float forward_one(Activation f, float x) {
  switch (f) {
    case Activation::kRelu: return relu_vec(x);
    case Activation::kSigmoid: return sigmoid(x);
    case Activation::kTanh: return tanh_vec(x);
    case Activation::kElu: return x > 0 ? x : std::expm1(x);
    case Activation::kSelu: return x > 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * std::expm1(x);
    case Activation::kSoftplus: return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x)));
    case Activation::kSoftsign: return x / (1.0f + std::fabs(x));
    // std::max and std::min return their first argument for NaN: NaN propagates, as in TF.
    case Activation::kRelu6: return std::min(std::max(x, 0.0f), 6.0f);
    // TensorFlow.js / Keras 2 definition (LSTM's tfjs default recurrent activation).
    case Activation::kHardSigmoid: return std::min(std::max(0.2f * x + 0.5f, 0.0f), 1.0f);
    case Activation::kSwish: return x * sigmoid(x);
    case Activation::kGelu: return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2));
    default: return x;  // linear; softmax is handled per row
  }
}

// f'(x) expressed through x and y = f(x), whichever is cheaper.
inline float derivative_one(Activation f, float x, float y) {
  switch (f) {
    case Activation::kRelu: return x > 0 ? 1.0f : 0.0f;
    case Activation::kSigmoid: return y * (1.0f - y);
    case Activation::kTanh: return 1.0f - y * y;
    case Activation::kElu: return x > 0 ? 1.0f : y + 1.0f;
    case Activation::kSelu: return x > 0 ? kSeluScale : y + kSeluScale * kSeluAlpha;
    case Activation::kSoftplus: return sigmoid(x);
    case Activation::kSoftsign: { const float d = 1.0f + std::fabs(x); return 1.0f / (d * d); }
    case Activation::kRelu6: return (x > 0 && x < 6) ? 1.0f : 0.0f;
    case Activation::kHardSigmoid: return (x > -2.5f && x < 2.5f) ? 0.2f : 0.0f;
    case Activation::kSwish: { const float s = sigmoid(x); return s + x * s * (1.0f - s); }
    case Activation::kGelu:
      return 0.5f * (1.0f + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    default: return 1.0f;
  }
}

// y may alias x, so no __restrict: the vectoriser checks for overlap itself.
BLASNET_MULTIVERSION
void sigmoid_loop(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = sigmoid_vec(x[i]);
}

BLASNET_MULTIVERSION
void tanh_loop(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = tanh_vec(x[i]);
}

void softmax_rows(float* y, const float* x, int64_t R, int64_t K) {
  for (int64_t r = 0; r < R; ++r) {
    const float* xr = x + r * K;
    float* yr = y + r * K;
    float mx = xr[0];
    for (int64_t k = 1; k < K; ++k) mx = std::max(mx, xr[k]);
    double sum = 0;
    for (int64_t k = 0; k < K; ++k) { yr[k] = std::exp(xr[k] - mx); sum += yr[k]; }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t k = 0; k < K; ++k) yr[k] *= inv;
  }
}

}  // namespace

void activation_forward(Activation f, float* y, const float* x, int64_t R, int64_t K) {
  const int64_t n = R * K;
  switch (f) {
    case Activation::kSoftmax: softmax_rows(y, x, R, K); return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = relu_vec(x[i]);
      return;
    case Activation::kSigmoid: sigmoid_loop(y, x, n); return;
    case Activation::kTanh: tanh_loop(y, x, n); return;
    default:
      for (int64_t i = 0; i < n; ++i) y[i] = forward_one(f, x[i]);
  }
}

void activation_backward(Activation f, float* dx, const float* dy, const float* x,
                         const float* y, int64_t R, int64_t K) {
  const int64_t n = R * K;
  switch (f) {
    case Activation::kSoftmax:
      // dx = y * (dy - <dy, y>) per row.
      for (int64_t r = 0; r < R; ++r) {
        const float* yr = y + r * K;
        const float* dyr = dy + r * K;
        float* dxr = dx + r * K;
        double dot = 0;
        for (int64_t k = 0; k < K; ++k) dot += static_cast<double>(dyr[k]) * yr[k];
        for (int64_t k = 0; k < K; ++k) dxr[k] = yr[k] * (dyr[k] - static_cast<float>(dot));
      }
      return;
    case Activation::kLinear:
      if (dx != dy) for (int64_t i = 0; i < n; ++i) dx[i] = dy[i];
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) dx[i] = relu_grad_vec(dy[i], x[i]);
      return;
    default:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * derivative_one(f, x[i], y[i]);
  }
}

}  // namespace blasnet
