#include <cmath>

#include "kernels.h"

namespace blasnet {

void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr,
                float momentum, bool nesterov, float weight_decay) {
  for (int64_t i = 0; i < n; ++i) {
    if (weight_decay > 0) w[i] -= lr * weight_decay * w[i];
    if (velocity && momentum > 0) {
      // Keras 3: m = momentum*m - lr*g; w += m, or with Nesterov w += momentum*m - lr*g.
      const float m = momentum * velocity[i] - lr * g[i];
      velocity[i] = m;
      w[i] += nesterov ? momentum * m - lr * g[i] : m;
    } else {
      w[i] -= lr * g[i];
    }
  }
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr,
                 float beta1, float beta2, float epsilon, int64_t step, float weight_decay) {
  // Keras 3: alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); epsilon stays outside the sqrt.
  const double t = static_cast<double>(step);
  const float alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t)));
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  const float decay = lr * weight_decay;
  for (int64_t i = 0; i < n; ++i) {
    if (weight_decay > 0) w[i] -= decay * w[i];
    const float gi = g[i];
    m[i] += (gi - m[i]) * one_minus_b1;
    v[i] += (gi * gi - v[i]) * one_minus_b2;
    w[i] -= alpha * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

void rmsprop_update(float* w, float* mean_square, float* momentum_buf, float* mean_grad,
                    const float* g, int64_t n, float lr, float rho, float momentum,
                    float epsilon, float weight_decay) {
  for (int64_t i = 0; i < n; ++i) {
    if (weight_decay > 0) w[i] -= lr * weight_decay * w[i];
    const float gi = g[i];
    mean_square[i] = rho * mean_square[i] + (1 - rho) * gi * gi;
    float denominator = mean_square[i];
    if (mean_grad) {
      mean_grad[i] = rho * mean_grad[i] + (1 - rho) * gi;
      denominator -= mean_grad[i] * mean_grad[i];
    }
    // Keras 3 keeps epsilon inside the square root.
    const float increment = lr * gi / std::sqrt(denominator + epsilon);
    if (momentum_buf && momentum > 0) {
      momentum_buf[i] = momentum * momentum_buf[i] + increment;
      w[i] -= momentum_buf[i];
    } else {
      w[i] -= increment;
    }
  }
}

}  // namespace blasnet
