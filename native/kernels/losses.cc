#include <algorithm>
#include <cmath>

#include "kernels.h"

namespace blasnet {
namespace {

constexpr float kEpsilon = 1e-7f;  // Keras backend epsilon used for clipping probabilities

// log-sum-exp of one row and its max, for a stable softmax.
inline double row_logsumexp(const float* z, int64_t K, float* max_out) {
  float mx = z[0];
  for (int64_t k = 1; k < K; ++k) mx = std::max(mx, z[k]);
  double sum = 0;
  for (int64_t k = 0; k < K; ++k) sum += std::exp(static_cast<double>(z[k]) - mx);
  *max_out = mx;
  return mx + std::log(sum);
}

}  // namespace

double softmax_cross_entropy(float* dlogits, const float* logits, const float* targets,
                             const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* z = logits + r * K;
    const float* t = targets + r * K;
    const float w = weights ? weights[r] : 1.0f;
    float mx;
    const double lse = row_logsumexp(z, K, &mx);
    double row = 0, tsum = 0;
    for (int64_t k = 0; k < K; ++k) {
      row -= t[k] * (z[k] - lse);
      tsum += t[k];
    }
    total += w * row;
    if (dlogits) {
      // d/dz of -sum t*log softmax(z) = softmax(z)*sum(t) - t.
      float* d = dlogits + r * K;
      const float scale = grad_scale * w;
      for (int64_t k = 0; k < K; ++k) {
        const double p = std::exp(z[k] - lse);
        d[k] = scale * static_cast<float>(p * tsum - t[k]);
      }
    }
  }
  return total;
}

double sparse_softmax_cross_entropy(float* dlogits, const float* logits, const int32_t* labels,
                                    const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* z = logits + r * K;
    const int32_t label = labels[r];
    const float w = weights ? weights[r] : 1.0f;
    float mx;
    const double lse = row_logsumexp(z, K, &mx);
    total += w * (lse - z[label]);
    if (dlogits) {
      float* d = dlogits + r * K;
      const float scale = grad_scale * w;
      for (int64_t k = 0; k < K; ++k) d[k] = scale * static_cast<float>(std::exp(z[k] - lse));
      d[label] -= scale;
    }
  }
  return total;
}

double categorical_cross_entropy(float* dprobs, const float* probs, const float* targets,
                                 const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* p = probs + r * K;
    const float* t = targets + r * K;
    const float w = weights ? weights[r] : 1.0f;
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k];
    // q = clip(p / s); L = -sum t log q. dL/dp_k = (g_k - sum_j g_j q_j) / s with
    // g_j = -t_j / q_j where q_j was not clipped, else 0.
    double row = 0, gq = 0;
    for (int64_t k = 0; k < K; ++k) {
      const double q = p[k] / s;
      const double qc = std::min(std::max(q, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
      row -= t[k] * std::log(qc);
      if (qc == q) gq += -t[k];  // g_k * q_k = -t_k
    }
    total += w * row;
    if (dprobs) {
      float* d = dprobs + r * K;
      const float scale = grad_scale * w;
      for (int64_t k = 0; k < K; ++k) {
        const double q = p[k] / s;
        const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
        const double g = clipped ? 0.0 : -t[k] / q;
        d[k] = scale * static_cast<float>((g - gq) / s);
      }
    }
  }
  return total;
}

double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const int32_t* labels,
                                        const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* p = probs + r * K;
    const int32_t label = labels[r];
    const float w = weights ? weights[r] : 1.0f;
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k];
    const double q = p[label] / s;
    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
    const double qc = std::min(std::max(q, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
    total -= w * std::log(qc);
    if (dprobs) {
      float* d = dprobs + r * K;
      const float scale = grad_scale * w;
      // Only the label's term has g != 0: g = -1/q, and sum_j g_j q_j = -1.
      const double g = clipped ? 0.0 : -1.0 / q;
      const double gq = clipped ? 0.0 : -1.0;
      for (int64_t k = 0; k < K; ++k) d[k] = scale * static_cast<float>(-gq / s);
      d[label] = scale * static_cast<float>((g - gq) / s);
    }
  }
  return total;
}

// Element losses visit rows of K elements so that a row's weight is read once.
double sigmoid_binary_cross_entropy(float* dlogits, const float* logits, const float* targets,
                                    const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0, i = 0; r < R; ++r) {
    const float w = weights ? weights[r] : 1.0f;
    const float scale = grad_scale * w;
    double row = 0;
    for (int64_t k = 0; k < K; ++k, ++i) {
      const double z = logits[i], t = targets[i];
      // max(z,0) - z*t + log(1 + exp(-|z|)) never overflows.
      row += std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::fabs(z)));
      if (dlogits) {
        const double p = z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
        dlogits[i] = scale * static_cast<float>(p - t);
      }
    }
    total += w * row;
  }
  return total;
}

double binary_cross_entropy(float* dprobs, const float* probs, const float* targets,
                            const float* weights, int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0, i = 0; r < R; ++r) {
    const float w = weights ? weights[r] : 1.0f;
    const float scale = grad_scale * w;
    double row = 0;
    for (int64_t k = 0; k < K; ++k, ++i) {
      const double p = probs[i], t = targets[i];
      const double pc = std::min(std::max(p, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
      row -= t * std::log(pc) + (1 - t) * std::log(1 - pc);
      if (dprobs) {
        const bool clipped = pc != p;
        dprobs[i] = clipped ? 0.0f : scale * static_cast<float>((p - t) / (p * (1 - p)));
      }
    }
    total += w * row;
  }
  return total;
}

double squared_error(float* dy, const float* y, const float* targets, const float* weights,
                     int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0, i = 0; r < R; ++r) {
    const float w = weights ? weights[r] : 1.0f;
    const float scale = grad_scale * w;
    double row = 0;
    for (int64_t k = 0; k < K; ++k, ++i) {
      const double d = static_cast<double>(y[i]) - targets[i];
      row += d * d;
      if (dy) dy[i] = scale * static_cast<float>(2 * d);
    }
    total += w * row;
  }
  return total;
}

}  // namespace blasnet
