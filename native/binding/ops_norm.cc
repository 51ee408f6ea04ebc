// Exports for batch normalisation, dropout and global pooling. Each wrapper
// reads and checks its arguments, then calls exactly one kernel.
#include <string>

#include "../kernels/kernels.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

float Epsilon(const Args& a, size_t i) {
  const double eps = a.Number(i, "epsilon");
  if (!(eps > 0)) a.Fail("epsilon must be > 0, got " + std::to_string(eps));
  return static_cast<float>(eps);
}

// The dropout rate: 0 <= rate < 1 (rate 1 would scale by infinity).
float Rate(const Args& a, size_t i) {
  const double rate = a.Number(i, "rate");
  if (!(rate >= 0 && rate < 1)) a.Fail("rate must be in [0, 1), got " + std::to_string(rate));
  return static_cast<float>(rate);
}

// [sync] batchnormForwardTraining(out[R*C], mean[C], invStd[C], movingMean[C], movingVariance[C],
//   x[R*C], gamma[C]|null, beta[C]|null, R, C, momentum, epsilon)
// Channels are the last axis of x. Writes out, mean, invStd; updates the moving statistics in
// place. momentum in [0, 1], epsilon > 0. Throws TypeError/RangeError on bad arguments.
Napi::Value BatchnormForwardTraining(const Napi::CallbackInfo& info) {
  Args a(info, "batchnormForwardTraining", 12);
  const int64_t R = a.Dim(8, "R"), C = a.Dim(9, "C");
  const int64_t n = a.Product({R, C});
  float* out = a.F32(0, "out", n, "R*C");
  float* mean = a.F32(1, "mean", C, "C");
  float* inv_std = a.F32(2, "invStd", C, "C");
  float* moving_mean = a.F32(3, "movingMean", C, "C");
  float* moving_variance = a.F32(4, "movingVariance", C, "C");
  const float* x = a.F32(5, "x", n, "R*C");
  const float* gamma = a.F32OrNull(6, "gamma", C, "C");
  const float* beta = a.F32OrNull(7, "beta", C, "C");
  const double momentum = a.Number(10, "momentum");
  if (!(momentum >= 0 && momentum <= 1)) a.Fail("momentum must be in [0, 1], got " + std::to_string(momentum));
  batchnorm_forward_training(out, mean, inv_std, moving_mean, moving_variance, x, gamma, beta, R, C,
                             static_cast<float>(momentum), Epsilon(a, 11));
  return info.Env().Undefined();
}

// [sync] batchnormForwardInference(out[R*C], mean[C], invStd[C], x[R*C], gamma[C]|null,
//   beta[C]|null, movingMean[C], movingVariance[C], R, C, epsilon)
// Normalises with the moving statistics and saves them as mean / invStd for the backward pass.
Napi::Value BatchnormForwardInference(const Napi::CallbackInfo& info) {
  Args a(info, "batchnormForwardInference", 11);
  const int64_t R = a.Dim(8, "R"), C = a.Dim(9, "C");
  const int64_t n = a.Product({R, C});
  float* out = a.F32(0, "out", n, "R*C");
  float* mean = a.F32(1, "mean", C, "C");
  float* inv_std = a.F32(2, "invStd", C, "C");
  const float* x = a.F32(3, "x", n, "R*C");
  const float* gamma = a.F32OrNull(4, "gamma", C, "C");
  const float* beta = a.F32OrNull(5, "beta", C, "C");
  const float* moving_mean = a.F32(6, "movingMean", C, "C");
  const float* moving_variance = a.F32(7, "movingVariance", C, "C");
  batchnorm_forward_inference(out, mean, inv_std, x, gamma, beta, moving_mean, moving_variance, R, C,
                              Epsilon(a, 10));
  return info.Env().Undefined();
}

// [sync] batchnormBackward(dx[R*C]|null, dgamma[C]|null, dbeta[C]|null, dy[R*C], x[R*C],
//   gamma[C]|null, mean[C], invStd[C], R, C, batchStatistics)
// dgamma and dbeta accumulate; dx is overwritten (it may be dy). mean and invStd are the ones
// the forward pass saved; batchStatistics says whether it was a training forward pass.
Napi::Value BatchnormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "batchnormBackward", 11);
  const int64_t R = a.Dim(8, "R"), C = a.Dim(9, "C");
  const int64_t n = a.Product({R, C});
  float* dx = a.F32OrNull(0, "dx", n, "R*C");
  float* dgamma = a.F32OrNull(1, "dgamma", C, "C");
  float* dbeta = a.F32OrNull(2, "dbeta", C, "C");
  const float* dy = a.F32(3, "dy", n, "R*C");
  const float* x = a.F32(4, "x", n, "R*C");
  const float* gamma = a.F32OrNull(5, "gamma", C, "C");
  const float* mean = a.F32(6, "mean", C, "C");
  const float* inv_std = a.F32(7, "invStd", C, "C");
  batchnorm_backward(dx, dgamma, dbeta, dy, x, gamma, mean, inv_std, R, C, a.Bool(10, "batchStatistics"));
  return info.Env().Undefined();
}

// [sync] dropoutForward(out[n], x[n], mask[n], n, rate): out = x * mask / (1 - rate),
// mask holding 0 (dropped) or 1 (kept); 0 <= rate < 1.
Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  Args a(info, "dropoutForward", 5);
  const int64_t n = a.Dim(3, "n");
  float* out = a.F32(0, "out", n, "n");
  const float* x = a.F32(1, "x", n, "n");
  const float* mask = a.F32(2, "mask", n, "n");
  dropout_forward(out, x, mask, n, Rate(a, 4));
  return info.Env().Undefined();
}

// [sync] dropoutBackward(dx[n], dy[n], mask[n], n, rate): dx = dy * mask / (1 - rate); dx may be dy.
Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  Args a(info, "dropoutBackward", 5);
  const int64_t n = a.Dim(3, "n");
  float* dx = a.F32(0, "dx", n, "n");
  const float* dy = a.F32(1, "dy", n, "n");
  const float* mask = a.F32(2, "mask", n, "n");
  dropout_backward(dx, dy, mask, n, Rate(a, 4));
  return info.Env().Undefined();
}

// Global pooling forward: [sync] name(out[N*C], x[N*S*C], N, S, C); x is [N,S,C] with S = H*W
// (NHWC images) or T (sequences).
template <void (*kernel)(float*, const float*, int64_t, int64_t, int64_t)>
Napi::Value GlobalPoolForward(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 5);
  const int64_t N = a.Dim(2, "N"), S = a.Dim(3, "S"), C = a.Dim(4, "C");
  float* out = a.F32(0, "out", a.Product({N, C}), "N*C");
  const float* x = a.F32(1, "x", a.Product({N, S, C}), "N*S*C");
  kernel(out, x, N, S, C);
  return info.Env().Undefined();
}

// [sync] globalAvgPoolBackward(dx[N*S*C], dy[N*C], N, S, C): dx is overwritten.
Napi::Value GlobalAvgPoolBackward(const Napi::CallbackInfo& info) {
  Args a(info, "globalAvgPoolBackward", 5);
  const int64_t N = a.Dim(2, "N"), S = a.Dim(3, "S"), C = a.Dim(4, "C");
  float* dx = a.F32(0, "dx", a.Product({N, S, C}), "N*S*C");
  const float* dy = a.F32(1, "dy", a.Product({N, C}), "N*C");
  global_avg_pool_backward(dx, dy, N, S, C);
  return info.Env().Undefined();
}

// [sync] globalMaxPoolBackward(dx[N*S*C], dy[N*C], x[N*S*C], N, S, C): dx is overwritten; each
// dy goes to the first maximum of its channel (or its last NaN).
Napi::Value GlobalMaxPoolBackward(const Napi::CallbackInfo& info) {
  Args a(info, "globalMaxPoolBackward", 6);
  const int64_t N = a.Dim(3, "N"), S = a.Dim(4, "S"), C = a.Dim(5, "C");
  const int64_t n = a.Product({N, S, C});
  float* dx = a.F32(0, "dx", n, "N*S*C");
  const float* dy = a.F32(1, "dy", a.Product({N, C}), "N*C");
  const float* x = a.F32(2, "x", n, "N*S*C");
  global_max_pool_backward(dx, dy, x, N, S, C);
  return info.Env().Undefined();
}

}  // namespace

void RegisterNormOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  add("batchnormForwardTraining", BatchnormForwardTraining);
  add("batchnormForwardInference", BatchnormForwardInference);
  add("batchnormBackward", BatchnormBackward);
  add("dropoutForward", DropoutForward);
  add("dropoutBackward", DropoutBackward);
  add("globalAvgPoolForward", [](const Napi::CallbackInfo& i) {
    return GlobalPoolForward<global_avg_pool_forward>(i, "globalAvgPoolForward"); });
  add("globalAvgPoolBackward", GlobalAvgPoolBackward);
  add("globalMaxPoolForward", [](const Napi::CallbackInfo& i) {
    return GlobalPoolForward<global_max_pool_forward>(i, "globalMaxPoolForward"); });
  add("globalMaxPoolBackward", GlobalMaxPoolBackward);
}

}  // namespace blasnet
