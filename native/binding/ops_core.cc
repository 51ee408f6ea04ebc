// Exports for the dense, activation and loss kernels. Each wrapper
// reads and checks its arguments, then calls exactly one kernel.
#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// [sync] sgemm(transA, transB, M, N, K, alpha, A, B, beta, C): C = alpha*op(A)op(B) + beta*C,
// row-major. Throws TypeError/RangeError on bad arguments.
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Args a(info, "sgemm", 10);
  const bool ta = a.Bool(0, "transA"), tb = a.Bool(1, "transB");
  const int64_t M = a.Dim(2, "M"), N = a.Dim(3, "N"), K = a.Dim(4, "K");
  const float alpha = static_cast<float>(a.Number(5, "alpha"));
  const float* A = a.F32(6, "A", a.Product({M, K}), "M*K");
  const float* B = a.F32(7, "B", a.Product({K, N}), "K*N");
  const float beta = static_cast<float>(a.Number(8, "beta"));
  float* C = a.F32(9, "C", a.Product({M, N}), "M*N");
  sgemm(ta, tb, M, N, K, alpha, A, B, beta, C, &Pool(info.Env()));
  return info.Env().Undefined();
}

// The plain and the activated dense exports share one wrapper: the plain ones are
// the activated ones with a linear activation (and, backward, no y argument).
//
// [sync] denseForward(out[N*U], x[N*I], w[I*U], b[U]|null, N, I, U)
// [sync] denseForwardActivated(out[N*U], x[N*I], w[I*U], b[U]|null, N, I, U, activation):
// out = activation(x w + b) in one pass, activation 0 (linear) or 1 (relu).
template <bool kActivated>
Napi::Value DenseForward(const Napi::CallbackInfo& info) {
  Args a(info, kActivated ? "denseForwardActivated" : "denseForward", kActivated ? 8 : 7);
  const int64_t N = a.Dim(4, "N"), I = a.Dim(5, "I"), U = a.Dim(6, "U");
  float* out = a.F32(0, "out", a.Product({N, U}), "N*U");
  const float* x = a.F32(1, "x", a.Product({N, I}), "N*I");
  const float* w = a.F32(2, "w", a.Product({I, U}), "I*U");
  const float* b = a.F32OrNull(3, "b", U, "U");
  const auto act = kActivated ? static_cast<Activation>(a.Int(7, "activation (0 linear, 1 relu)", 0, 1))
                              : Activation::kLinear;
  dense_forward(out, x, w, b, N, I, U, act, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] denseBackward(dx[N*I]|null, dw[I*U]|null, db[U]|null, dy[N*U], x[N*I], w[I*U], N, I, U)
// [sync] denseBackwardActivated(dx[N*I]|null, dw[I*U]|null, db[U]|null, dy[N*U], x[N*I], w[I*U],
//   y[N*U]|null, N, I, U, activation): dy is the gradient at the output y of
// denseForwardActivated; with relu (1) it is masked in place where y <= 0, and y is required.
// dw and db accumulate; dx is overwritten; a null gradient is not computed.
template <bool kActivated>
Napi::Value DenseBackward(const Napi::CallbackInfo& info) {
  Args a(info, kActivated ? "denseBackwardActivated" : "denseBackward", kActivated ? 11 : 9);
  constexpr size_t kDims = kActivated ? 7 : 6;  // activated calls carry y before the dimensions
  const int64_t N = a.Dim(kDims, "N"), I = a.Dim(kDims + 1, "I"), U = a.Dim(kDims + 2, "U");
  float* dx = a.F32OrNull(0, "dx", a.Product({N, I}), "N*I");
  float* dw = a.F32OrNull(1, "dw", a.Product({I, U}), "I*U");
  float* db = a.F32OrNull(2, "db", U, "U");
  float* dy = a.F32(3, "dy", a.Product({N, U}), "N*U");
  const float* x = a.F32(4, "x", a.Product({N, I}), "N*I");
  const float* w = a.F32(5, "w", a.Product({I, U}), "I*U");
  const float* y = kActivated ? a.F32OrNull(6, "y", a.Product({N, U}), "N*U") : nullptr;
  const auto act = kActivated ? static_cast<Activation>(a.Int(10, "activation (0 linear, 1 relu)", 0, 1))
                              : Activation::kLinear;
  if (act == Activation::kRelu && !y) a.Fail("y (the forward output) is required with relu", true);
  dense_backward(dx, dw, db, dy, y, x, w, N, I, U, act, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] activationForward(kind, y[R*K], x[R*K], R, K); y may be x.
Napi::Value ActivationForward(const Napi::CallbackInfo& info) {
  Args a(info, "activationForward", 5);
  const auto kind = static_cast<Activation>(a.Int(0, "kind", 0, kActivationCount - 1));
  const int64_t R = a.Dim(3, "R"), K = a.Dim(4, "K");
  const int64_t n = a.Product({R, K});
  float* y = a.F32(1, "y", n, "R*K");
  const float* x = a.F32(2, "x", n, "R*K");
  activation_forward(kind, y, x, R, K, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] activationBackward(kind, dx[R*K], dy[R*K], x[R*K], y[R*K], R, K); dx may be dy.
Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  Args a(info, "activationBackward", 7);
  const auto kind = static_cast<Activation>(a.Int(0, "kind", 0, kActivationCount - 1));
  const int64_t R = a.Dim(5, "R"), K = a.Dim(6, "K");
  const int64_t n = a.Product({R, K});
  float* dx = a.F32(1, "dx", n, "R*K");
  const float* dy = a.F32(2, "dy", n, "R*K");
  const float* x = a.F32(3, "x", n, "R*K");
  const float* y = a.F32(4, "y", n, "R*K");
  activation_backward(kind, dx, dy, x, y, R, K, Pool(info.Env()));
  return info.Env().Undefined();
}

// Row losses with dense targets:
// [sync] name(grad[R*K]|null, input[R*K], targets[R*K], weights[R]|null, R, K, gradScale) -> loss
// summed over rows, each row's times its weight (null: all 1).
template <double (*kernel)(float*, const float*, const float*, const float*, int64_t, int64_t, float)>
Napi::Value DenseTargetRowLoss(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 7);
  const int64_t R = a.Dim(4, "R"), K = a.Dim(5, "K");
  const int64_t n = a.Product({R, K});
  float* grad = a.F32OrNull(0, "grad", n, "R*K");
  const float* input = a.F32(1, "input", n, "R*K");
  const float* targets = a.F32(2, "targets", n, "R*K");
  const float* weights = a.F32OrNull(3, "weights", R, "R");
  const float scale = static_cast<float>(a.Number(6, "gradScale"));
  return Napi::Number::New(info.Env(), kernel(grad, input, targets, weights, R, K, scale));
}

// Row losses with integer labels:
// [sync] name(grad[R*K]|null, input[R*K], labels[R] Int32Array, weights[R]|null, R, K, gradScale)
// -> weighted summed loss. Every label must lie in [0, K): RangeError naming the first bad one otherwise.
template <double (*kernel)(float*, const float*, const int32_t*, const float*, int64_t, int64_t, float)>
Napi::Value SparseRowLoss(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 7);
  const int64_t R = a.Dim(4, "R"), K = a.Dim(5, "K");
  const int64_t n = a.Product({R, K});
  float* grad = a.F32OrNull(0, "grad", n, "R*K");
  const float* input = a.F32(1, "input", n, "R*K");
  const int32_t* labels = a.I32(2, "labels", R, "R");
  a.CheckIndices(labels, R, K, "labels");
  const float* weights = a.F32OrNull(3, "weights", R, "R");
  const float scale = static_cast<float>(a.Number(6, "gradScale"));
  return Napi::Number::New(info.Env(), kernel(grad, input, labels, weights, R, K, scale));
}

}  // namespace

void RegisterCoreOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  add("sgemm", Sgemm);
  add("denseForward", DenseForward<false>);
  add("denseBackward", DenseBackward<false>);
  add("denseForwardActivated", DenseForward<true>);
  add("denseBackwardActivated", DenseBackward<true>);
  add("activationForward", ActivationForward);
  add("activationBackward", ActivationBackward);
  add("softmaxCrossEntropy", [](const Napi::CallbackInfo& i) {
    return DenseTargetRowLoss<softmax_cross_entropy>(i, "softmaxCrossEntropy"); });
  add("categoricalCrossEntropy", [](const Napi::CallbackInfo& i) {
    return DenseTargetRowLoss<categorical_cross_entropy>(i, "categoricalCrossEntropy"); });
  add("sparseSoftmaxCrossEntropy", [](const Napi::CallbackInfo& i) {
    return SparseRowLoss<sparse_softmax_cross_entropy>(i, "sparseSoftmaxCrossEntropy"); });
  add("sparseCategoricalCrossEntropy", [](const Napi::CallbackInfo& i) {
    return SparseRowLoss<sparse_categorical_cross_entropy>(i, "sparseCategoricalCrossEntropy"); });
  add("sigmoidBinaryCrossEntropy", [](const Napi::CallbackInfo& i) {
    return DenseTargetRowLoss<sigmoid_binary_cross_entropy>(i, "sigmoidBinaryCrossEntropy"); });
  add("binaryCrossEntropy", [](const Napi::CallbackInfo& i) {
    return DenseTargetRowLoss<binary_cross_entropy>(i, "binaryCrossEntropy"); });
  add("squaredError", [](const Napi::CallbackInfo& i) {
    return DenseTargetRowLoss<squared_error>(i, "squaredError"); });
}

}  // namespace blasnet
