// blasnet kernels: plain functions over pointers and sizes.
//
// Contract (see GUIDE.md): kernels allocate nothing, throw nothing and hold no
// state. Outputs come first, then const inputs and caches, then dimensions.
// Parameter gradients accumulate (+=) and the caller zeroes them; input
// gradients overwrite; a null input-gradient pointer means "not needed".
//
// Dimension legend (all row-major, channels-last as in Keras):
//   N  batch            I  input features     U  units / output features
//   H,W input height/width   C input channels  OH,OW output height/width
//   OC output channels (filters)   KH,KW kernel height/width
//   T  timesteps        R  rows (every axis but the last)   K classes
#pragma once
#include <cstdint>

namespace blasnet {

// ---- gemm.cc ---------------------------------------------------------------
// C[M,N] = alpha * op(A)[M,K] @ op(B)[K,N] + beta * C, row-major, where op
// transposes when the flag is set (A is then stored [K,M], B stored [N,K]).
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
           float alpha, const float* A, const float* B, float beta, float* C);

// ---- dense.cc --------------------------------------------------------------
// out[N,U] = x[N,I] @ w[I,U] + b[U]   (b may be null)
void dense_forward(float* out, const float* x, const float* w, const float* b,
                   int64_t N, int64_t I, int64_t U);
// dw[I,U] += x^T dy; db[U] += sum_n dy (db may be null); dx[N,I] = dy w^T (dx may be null)
void dense_backward(float* dx, float* dw, float* db, const float* dy,
                    const float* x, const float* w, int64_t N, int64_t I, int64_t U);

// ---- activations.cc --------------------------------------------------------
// Ids are shared with lib/activations.ts; keep the two in step.
enum class Activation : int32_t {
  kLinear = 0, kRelu = 1, kSigmoid = 2, kTanh = 3, kSoftmax = 4, kElu = 5,
  kSelu = 6, kSoftplus = 7, kSoftsign = 8, kRelu6 = 9, kHardSigmoid = 10,
  kSwish = 11, kGelu = 12,
};
constexpr int32_t kActivationCount = 13;
// y[R,K] = f(x[R,K]); softmax acts along the last axis K. y may alias x.
void activation_forward(Activation f, float* y, const float* x, int64_t R, int64_t K);
// dx = dy * f'(x) given x and y = f(x). dx may alias dy.
void activation_backward(Activation f, float* dx, const float* dy, const float* x,
                         const float* y, int64_t R, int64_t K);

// ---- losses.cc -------------------------------------------------------------
// Each returns the SUM of the per-row losses (the caller divides) and, when the
// gradient pointer is not null, writes grad_scale * d(sum)/d(input) into it.
// Row losses: rows are [R,K], one sample-timestep per row.
double softmax_cross_entropy(float* dlogits, const float* logits, const float* targets,
                             int64_t R, int64_t K, float grad_scale);
double sparse_softmax_cross_entropy(float* dlogits, const float* logits, const int32_t* labels,
                                    int64_t R, int64_t K, float grad_scale);
// Keras' categorical cross-entropy on probabilities: renormalise rows, clip to
// [eps, 1-eps], -sum t*log p. Used when the last activation is not softmax.
double categorical_cross_entropy(float* dprobs, const float* probs, const float* targets,
                                 int64_t R, int64_t K, float grad_scale);
double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const int32_t* labels,
                                        int64_t R, int64_t K, float grad_scale);
// Element losses over [n] values; the caller divides by the elements per row.
double sigmoid_binary_cross_entropy(float* dlogits, const float* logits, const float* targets,
                                    int64_t n, float grad_scale);
double binary_cross_entropy(float* dprobs, const float* probs, const float* targets,
                            int64_t n, float grad_scale);
double squared_error(float* dy, const float* y, const float* targets, int64_t n, float grad_scale);

// ---- optim.cc --------------------------------------------------------------
// In-place parameter updates over n values, Keras 3 formulas.
// velocity may be null when momentum == 0.
void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr,
                float momentum, bool nesterov, float weight_decay);
// step is the 1-based update count used for bias correction. weight_decay > 0
// gives AdamW (decoupled: w -= lr * wd * w before the Adam step).
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr,
                 float beta1, float beta2, float epsilon, int64_t step, float weight_decay);
// momentum_buf may be null when momentum == 0; mean_grad non-null means centered.
void rmsprop_update(float* w, float* mean_square, float* momentum_buf, float* mean_grad,
                    const float* g, int64_t n, float lr, float rho, float momentum,
                    float epsilon, float weight_decay);

}  // namespace blasnet
