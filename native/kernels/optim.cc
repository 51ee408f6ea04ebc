// Optimizer updates over flat arrays. The model keeps all trainable weights in
// one buffer, so one call updates every parameter; the loop is split across the
// pool (it is memory-bound) and compiled per instruction set. With consume_grad
// each gradient is zeroed as it is read, which saves the next step a separate
// pass to clear the accumulators.
#include <cmath>

#include "kernels.h"
#include "simd.h"

namespace blasnet {
namespace {

// Slices of at least this many values: smaller ones cost more to hand out than to compute.
constexpr int64_t kGrain = 1 << 14;

BLASNET_MULTIVERSION
void sgd_slice(float* __restrict w, float* __restrict velocity, float* __restrict g, int64_t lo, int64_t hi, float lr, float momentum,
               bool nesterov, float weight_decay, bool consume_grad) {
  const float keep = 1.0f - lr * weight_decay;
  for (int64_t i = lo; i < hi; ++i) {
    const float gi = g[i];
    if (consume_grad) g[i] = 0.0f;
    const float wi = weight_decay > 0 ? w[i] * keep : w[i];
    if (velocity) {
      // Keras 3: m = momentum*m - lr*g; w += m, or with Nesterov w += momentum*m - lr*g.
      const float m = momentum * velocity[i] - lr * gi;
      velocity[i] = m;
      w[i] = wi + (nesterov ? momentum * m - lr * gi : m);
    } else {
      w[i] = wi - lr * gi;
    }
  }
}

BLASNET_MULTIVERSION
void adam_slice(float* __restrict w, float* __restrict m, float* __restrict v, float* __restrict g, int64_t lo, int64_t hi, float alpha,
                float beta1, float beta2, float epsilon, float keep, bool consume_grad) {
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  for (int64_t i = lo; i < hi; ++i) {
    const float gi = g[i];
    if (consume_grad) g[i] = 0.0f;
    const float mi = m[i] + (gi - m[i]) * one_minus_b1;
    const float vi = v[i] + (gi * gi - v[i]) * one_minus_b2;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] * keep - alpha * mi / (std::sqrt(vi) + epsilon);
  }
}

BLASNET_MULTIVERSION
void rmsprop_slice(float* __restrict w, float* __restrict mean_square, float* __restrict momentum_buf,
                   float* __restrict mean_grad, float* __restrict g, int64_t lo,
                   int64_t hi, float lr, float rho, float momentum, float epsilon, float keep, bool consume_grad) {
  for (int64_t i = lo; i < hi; ++i) {
    const float gi = g[i];
    if (consume_grad) g[i] = 0.0f;
    const float ms = rho * mean_square[i] + (1 - rho) * gi * gi;
    mean_square[i] = ms;
    float denominator = ms;
    if (mean_grad) {
      const float mg = rho * mean_grad[i] + (1 - rho) * gi;
      mean_grad[i] = mg;
      denominator -= mg * mg;
    }
    // Keras 3 keeps epsilon inside the square root.
    const float increment = lr * gi / std::sqrt(denominator + epsilon);
    const float wi = w[i] * keep;
    if (momentum_buf) {
      const float mom = momentum * momentum_buf[i] + increment;
      momentum_buf[i] = mom;
      w[i] = wi - mom;
    } else {
      w[i] = wi - increment;
    }
  }
}

}  // namespace

void sgd_update(float* w, float* velocity, float* g, int64_t n, float lr, float momentum, bool nesterov,
                float weight_decay, bool consume_grad, ThreadPool& pool) {
  float* vel = momentum > 0 ? velocity : nullptr;
  pool.parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    sgd_slice(w, vel, g, lo, hi, lr, momentum, nesterov, weight_decay, consume_grad);
  });
}

void adam_update(float* w, float* m, float* v, float* g, int64_t n, float lr, float beta1, float beta2,
                 float epsilon, int64_t step, float weight_decay, bool consume_grad, ThreadPool& pool) {
  // Keras 3: alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); epsilon stays outside the sqrt.
  // Decoupled weight decay (AdamW) scales w by 1 - lr*wd before the step.
  const double t = static_cast<double>(step);
  const float alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t)));
  const float keep = 1.0f - lr * weight_decay;
  pool.parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    adam_slice(w, m, v, g, lo, hi, alpha, beta1, beta2, epsilon, keep, consume_grad);
  });
}

void rmsprop_update(float* w, float* mean_square, float* momentum_buf, float* mean_grad, float* g, int64_t n,
                    float lr, float rho, float momentum, float epsilon, float weight_decay, bool consume_grad,
                    ThreadPool& pool) {
  float* mom = momentum > 0 ? momentum_buf : nullptr;
  const float keep = 1.0f - lr * weight_decay;
  pool.parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    rmsprop_slice(w, mean_square, mom, mean_grad, g, lo, hi, lr, rho, momentum, epsilon, keep, consume_grad);
  });
}

}  // namespace blasnet
