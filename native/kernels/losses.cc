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
                             int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* z = logits + r * K;
    const float* t = targets + r * K;
    float mx;
    const double lse = row_logsumexp(z, K, &mx);
    double tsum = 0;
    for (int64_t k = 0; k < K; ++k) {
      total -= t[k] * (z[k] - lse);
      tsum += t[k];
    }
    if (dlogits) {
      // d/dz of -sum t*log softmax(z) = softmax(z)*sum(t) - t.
      float* d = dlogits + r * K;
      for (int64_t k = 0; k < K; ++k) {
        const double p = std::exp(z[k] - lse);
        d[k] = grad_scale * static_cast<float>(p * tsum - t[k]);
      }
    }
  }
  return total;
}

double sparse_softmax_cross_entropy(float* dlogits, const float* logits, const int32_t* labels,
                                    int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* z = logits + r * K;
    const int32_t label = labels[r];
    float mx;
    const double lse = row_logsumexp(z, K, &mx);
    total += lse - z[label];
    if (dlogits) {
      float* d = dlogits + r * K;
      for (int64_t k = 0; k < K; ++k) d[k] = grad_scale * static_cast<float>(std::exp(z[k] - lse));
      d[label] -= grad_scale;
    }
  }
  return total;
}

double categorical_cross_entropy(float* dprobs, const float* probs, const float* targets,
                                 int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* p = probs + r * K;
    const float* t = targets + r * K;
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k];
    // q = clip(p / s); L = -sum t log q. dL/dp_k = (g_k - sum_j g_j q_j) / s with
    // g_j = -t_j / q_j where q_j was not clipped, else 0.
    double gq = 0;
    for (int64_t k = 0; k < K; ++k) {
      const double q = p[k] / s;
      const double qc = std::min(std::max(q, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
      total -= t[k] * std::log(qc);
      if (qc == q) gq += -t[k];  // g_k * q_k = -t_k
    }
    if (dprobs) {
      float* d = dprobs + r * K;
      for (int64_t k = 0; k < K; ++k) {
        const double q = p[k] / s;
        const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
        const double g = clipped ? 0.0 : -t[k] / q;
        d[k] = grad_scale * static_cast<float>((g - gq) / s);
      }
    }
  }
  return total;
}

double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const int32_t* labels,
                                        int64_t R, int64_t K, float grad_scale) {
  double total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const float* p = probs + r * K;
    const int32_t label = labels[r];
    double s = 0;
    for (int64_t k = 0; k < K; ++k) s += p[k];
    const double q = p[label] / s;
    const bool clipped = q < kEpsilon || q > 1.0 - kEpsilon;
    const double qc = std::min(std::max(q, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
    total -= std::log(qc);
    if (dprobs) {
      float* d = dprobs + r * K;
      // Only the label's term has g != 0: g = -1/q, and sum_j g_j q_j = -1.
      const double g = clipped ? 0.0 : -1.0 / q;
      const double gq = clipped ? 0.0 : -1.0;
      for (int64_t k = 0; k < K; ++k) d[k] = grad_scale * static_cast<float>(-gq / s);
      d[label] = grad_scale * static_cast<float>((g - gq) / s);
    }
  }
  return total;
}

double sigmoid_binary_cross_entropy(float* dlogits, const float* logits, const float* targets,
                                    int64_t n, float grad_scale) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double z = logits[i], t = targets[i];
    // max(z,0) - z*t + log(1 + exp(-|z|)) never overflows.
    total += std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::fabs(z)));
    if (dlogits) {
      const double p = z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
      dlogits[i] = grad_scale * static_cast<float>(p - t);
    }
  }
  return total;
}

double binary_cross_entropy(float* dprobs, const float* probs, const float* targets,
                            int64_t n, float grad_scale) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double p = probs[i], t = targets[i];
    const double pc = std::min(std::max(p, static_cast<double>(kEpsilon)), 1.0 - kEpsilon);
    total -= t * std::log(pc) + (1 - t) * std::log(1 - pc);
    if (dprobs) {
      const bool clipped = pc != p;
      dprobs[i] = clipped ? 0.0f : grad_scale * static_cast<float>((p - t) / (p * (1 - p)));
    }
  }
  return total;
}

double squared_error(float* dy, const float* y, const float* targets, int64_t n, float grad_scale) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y[i]) - targets[i];
    total += d * d;
    if (dy) dy[i] = grad_scale * static_cast<float>(2 * d);
  }
  return total;
}

}  // namespace blasnet
