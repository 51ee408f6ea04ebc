// Optimizer updates over segments: one per weight array (a layer's kernel, its
// bias, ...), all updated in one call. The loop is memory-bound, so the pool
// splits the elements of all segments as if they were one array, and each slice
// walks the segments it overlaps; the update is elementwise, so the results do
// not depend on where segments or slices begin. Each slice loop is compiled per
// instruction set. With consume_grad each gradient is zeroed as it is read,
// which saves the next step a separate pass to clear the accumulators.
#include <algorithm>
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

// Calls part(segment, lo, hi) for the values [lo, hi) of each segment that
// [begin, end) of the concatenation covers. The first is found by binary search
// on the offsets (segments[0].offset is 0), so a slice costs the same however
// many segments come before it.
template <typename Segment, typename Part>
void for_each_part(const Segment* segments, int64_t count, int64_t begin, int64_t end, Part&& part) {
  const Segment* s = std::upper_bound(segments, segments + count, begin,
                                      [](int64_t at, const Segment& x) { return at < x.offset; }) - 1;
  for (; s < segments + count && s->offset < end; ++s) {
    const int64_t lo = std::max(begin, s->offset) - s->offset;
    const int64_t hi = std::min(end, s->offset + s->length) - s->offset;
    if (lo < hi) part(*s, lo, hi);
  }
}

// Splits the concatenation of the segments across the pool in slices of at least kGrain values.
template <typename Segment, typename Part>
void for_each_slice(const Segment* segments, int64_t count, ThreadPool& pool, Part&& part) {
  if (count <= 0) return;
  const int64_t total = segments[count - 1].offset + segments[count - 1].length;
  pool.parallel_for(total, kGrain, [&](int64_t lo, int64_t hi) { for_each_part(segments, count, lo, hi, part); });
}

}  // namespace

void sgd_update(const SgdSegment* segments, int64_t count, float lr, float momentum, bool nesterov,
                float weight_decay, bool consume_grad, ThreadPool& pool) {
  for_each_slice(segments, count, pool, [&](const SgdSegment& s, int64_t lo, int64_t hi) {
    sgd_slice(s.w, momentum > 0 ? s.velocity : nullptr, s.g, lo, hi, lr, momentum, nesterov, weight_decay,
              consume_grad);
  });
}

void adam_update(const AdamSegment* segments, int64_t count, float lr, float beta1, float beta2, float epsilon,
                 int64_t step, float weight_decay, bool consume_grad, ThreadPool& pool) {
  // Keras 3: alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); epsilon stays outside the sqrt.
  // Decoupled weight decay (AdamW) scales w by 1 - lr*wd before the step.
  const double t = static_cast<double>(step);
  const float alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t)));
  const float keep = 1.0f - lr * weight_decay;
  for_each_slice(segments, count, pool, [&](const AdamSegment& s, int64_t lo, int64_t hi) {
    adam_slice(s.w, s.m, s.v, s.g, lo, hi, alpha, beta1, beta2, epsilon, keep, consume_grad);
  });
}

void rmsprop_update(const RmspropSegment* segments, int64_t count, float lr, float rho, float momentum,
                    float epsilon, float weight_decay, bool consume_grad, ThreadPool& pool) {
  const float keep = 1.0f - lr * weight_decay;
  for_each_slice(segments, count, pool, [&](const RmspropSegment& s, int64_t lo, int64_t hi) {
    rmsprop_slice(s.w, s.mean_square, momentum > 0 ? s.momentum : nullptr, s.mean_grad, s.g, lo, hi, lr, rho,
                  momentum, epsilon, keep, consume_grad);
  });
}

}  // namespace blasnet
