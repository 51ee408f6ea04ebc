// Exports for the recurrent kernels (lstm.cc, gru.cc). The geometry crosses as
// one plain object, the JS mirror of RnnGeom:
//   {N, T, I, U, activation, recurrentActivation, goBackwards, returnSequences, resetAfter}
// activations are Activation ids (lib/activations.ts), any but softmax;
// resetAfter is read for the GRU only. Layouts: x[N,T,I]; out and dout [N,T,U]
// when returnSequences, else [N,U]; cache and scratch sizes as in kernels.h
// (lstm_cache_size etc.).
// Dropout (training only) comes as two optional trailing arguments, both null or
// absent on the plain path: inputMask [N*I] (one mask for all gates) or
// [gates*N*I] (one per gate), recurrentMask [gates*N*U]; values 0 or 1/(1-rate).
// With either, the cache and scratch grow by the tails at rnn_dropout_cache_size.
// The timestep mask (Keras's mask) comes after them, optional too: stepMask, a
// Uint8Array [N*T] or null, where 0 skips that (sample, input timestep) as
// kernels.h describes; backward must get the stepMask its forward had.
#include <cstdint>
#include <limits>
#include <string>

#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// BLAS takes 32-bit sizes: every GEMM dimension must fit.
constexpr int64_t kMaxGemmDim = std::numeric_limits<int32_t>::max();

// Reads the geometry object, failing with the field's name.
RnnGeom ReadGeom(const Args& a, const Napi::Value& v, bool gru) {
  if (!v.IsObject()) {
    a.Fail("geom must be an object {N, T, I, U, activation, recurrentActivation, goBackwards, returnSequences" +
               std::string(gru ? ", resetAfter}" : "}"),
           true);
  }
  const Napi::Object obj = v.As<Napi::Object>();
  auto number = [&](const char* key) {
    const Napi::Value f = obj.Get(key);
    if (!f.IsNumber()) a.Fail(std::string("geom.") + key + " must be a number", true);
    return f.As<Napi::Number>().DoubleValue();
  };
  auto integer = [&](const char* key, int64_t lo, int64_t hi) {
    const double d = number(key);
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi) && d == static_cast<double>(static_cast<int64_t>(d)))) {
      a.Fail(std::string("geom.") + key + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
             "], got " + std::to_string(d));
    }
    return static_cast<int64_t>(d);
  };
  auto flag = [&](const char* key) {
    const Napi::Value f = obj.Get(key);
    if (!f.IsBoolean()) a.Fail(std::string("geom.") + key + " must be a boolean", true);
    return f.As<Napi::Boolean>().Value();
  };
  auto activation = [&](const char* key) {
    const auto kind = static_cast<Activation>(integer(key, 0, kActivationCount - 1));
    if (kind == Activation::kSoftmax) a.Fail(std::string("geom.") + key + " must be elementwise; softmax is not supported");
    return kind;
  };
  RnnGeom g{};
  g.N = integer("N", 1, kMaxGemmDim);
  g.T = integer("T", 1, kMaxGemmDim);
  g.I = integer("I", 1, kMaxGemmDim);
  g.U = integer("U", 1, kMaxGemmDim / 4);
  g.activation = activation("activation");
  g.recurrent_activation = activation("recurrentActivation");
  g.go_backwards = flag("goBackwards");
  g.return_sequences = flag("returnSequences");
  g.reset_after = gru ? flag("resetAfter") : false;
  // Every buffer below is at most T*N*(I+11U) elements, and T*N rows go through one GEMM.
  if (a.Product({g.T, g.N}) > kMaxGemmDim) a.Fail("geom.T*N must be at most " + std::to_string(kMaxGemmDim));
  a.Product({g.T, g.N, g.I + 11 * g.U});
  return g;
}

struct Shapes {
  int64_t x, out, kernel, recurrent, bias, cache, scratch;
  const char *out_expr, *kernel_expr, *recurrent_expr, *bias_expr, *cache_expr, *scratch_expr;
};

Shapes LstmShapes(const Args& a, const RnnGeom& g) {
  return {a.Product({g.N, g.T, g.I}), g.return_sequences ? a.Product({g.N, g.T, g.U}) : a.Product({g.N, g.U}),
          a.Product({g.I, 4 * g.U}), a.Product({g.U, 4 * g.U}), 4 * g.U, lstm_cache_size(g), lstm_scratch_size(g),
          g.return_sequences ? "N*T*U" : "N*U", "I*4U", "U*4U", "4U", "T*N*(I+11U)", "4U*(T*N+I+U)+2*N*U"};
}

Shapes GruShapes(const Args& a, const RnnGeom& g) {
  return {a.Product({g.N, g.T, g.I}), g.return_sequences ? a.Product({g.N, g.T, g.U}) : a.Product({g.N, g.U}),
          a.Product({g.I, 3 * g.U}), a.Product({g.U, 3 * g.U}), (g.reset_after ? 6 : 3) * g.U, gru_cache_size(g),
          gru_scratch_size(g), g.return_sequences ? "N*T*U" : "N*U", "I*3U", "U*3U",
          g.reset_after ? "2*3U (resetAfter)" : "3U", "T*N*(I+10U)", "3U*(2*T*N+I+U)+2*N*U"};
}

using ForwardKernel = void (*)(float*, float*, const float*, const float*, const float*, const float*,
                               const RnnGeom&, ThreadPool&, const RnnDropout*,
                               const uint8_t*);
using BackwardKernel = void (*)(float*, float*, float*, float*, float*, const float*, const float*,
                                const float*, const float*, const RnnGeom&, ThreadPool&, const RnnDropout*,
                                const uint8_t*);

// The arguments without the optional ones, with dropout's two, or with those and the stepMask.
size_t CountWithDropout(const Napi::CallbackInfo& info, size_t plain) {
  return info.Length() == plain + 2 || info.Length() == plain + 3 ? info.Length() : plain;
}

// The stepMask at argument i when given: a Uint8Array of N*T, or null.
const uint8_t* ReadStepMask(const Args& a, size_t i, size_t count, const RnnGeom& g) {
  return count > i ? a.U8OrNull(i, "stepMask", a.Product({g.N, g.T}), "N*T") : nullptr;
}

// The masks at arguments i, i+1 when given (null when both are null or absent); a
// dropout call's cache and scratch sizes grow by the masked copies and the temporaries.
struct DropoutArgs {
  RnnDropout masks{nullptr, 0, nullptr};
  const RnnDropout* ptr = nullptr;

  DropoutArgs(const Args& a, size_t i, size_t count, const RnnGeom& g, Shapes& s, int64_t gates) {
    if (count <= i) return;
    const int64_t NI = a.Product({g.N, g.I}), NU = a.Product({g.N, g.U});
    const int64_t input_length = a.Length(i);
    const bool per_gate = input_length == gates * NI;
    const std::string per_gate_expr = std::to_string(gates) + "*N*I";
    const std::string either = per_gate_expr + " = " + std::to_string(gates * NI) + " or N*I";
    masks.input =
        a.F32OrNull(i, "inputMask", per_gate ? gates * NI : NI, per_gate ? per_gate_expr.c_str() : either.c_str());
    masks.input_masks = per_gate ? gates : 1;
    masks.recurrent = a.F32OrNull(i + 1, "recurrentMask", gates * NU, gates == 4 ? "4*N*U" : "3*N*U");
    if (!masks.input && !masks.recurrent) return;
    ptr = &masks;
    const std::string gates_u = std::to_string(gates) + "U";
    const std::string input_i = masks.input ? (per_gate ? std::to_string(gates) + "I" : "I") : "";
    cache_expr = std::string(s.cache_expr) + "+T*N*(" + input_i + (masks.input && masks.recurrent ? "+" : "") +
                 (masks.recurrent ? gates_u : "") + ")";
    scratch_expr = std::string(s.scratch_expr) + "+N*(I+U)";
    s.cache += rnn_dropout_cache_size(g, ptr, gates);
    s.scratch += rnn_dropout_scratch_size(g, ptr);
    s.cache_expr = cache_expr.c_str();
    s.scratch_expr = scratch_expr.c_str();
  }

 private:
  std::string cache_expr, scratch_expr;
};

// [sync] name(out, cache, x, kernel, recurrent, bias|null, geom[, inputMask|null, recurrentMask|null[, stepMask|null]])
template <ForwardKernel kernel_fn, bool kGru>
Napi::Value Forward(const Napi::CallbackInfo& info, const char* fn) {
  const size_t count = CountWithDropout(info, 7);
  Args a(info, fn, count);
  const RnnGeom g = ReadGeom(a, info[6], kGru);
  Shapes s = kGru ? GruShapes(a, g) : LstmShapes(a, g);
  const DropoutArgs drop(a, 7, count, g, s, kGru ? 3 : 4);
  float* out = a.F32(0, "out", s.out, s.out_expr);
  float* cache = a.F32(1, "cache", s.cache, s.cache_expr);
  const float* x = a.F32(2, "x", s.x, "N*T*I");
  const float* kernel = a.F32(3, "kernel", s.kernel, s.kernel_expr);
  const float* recurrent = a.F32(4, "recurrent", s.recurrent, s.recurrent_expr);
  const float* bias = a.F32OrNull(5, "bias", s.bias, s.bias_expr);
  const uint8_t* step_mask = ReadStepMask(a, 9, count, g);
  kernel_fn(out, cache, x, kernel, recurrent, bias, g, Pool(info.Env()), drop.ptr, step_mask);
  return info.Env().Undefined();
}

// [sync] name(dx|null, dkernel|null, drecurrent|null, dbias|null, scratch, dout, cache, kernel, recurrent, geom
//   [, inputMask|null, recurrentMask|null[, stepMask|null]])
// dkernel, drecurrent and dbias accumulate; dx is overwritten; a null gradient is not computed. cache must come from
// the forward call with the same geometry and masks.
template <BackwardKernel kernel_fn, bool kGru>
Napi::Value Backward(const Napi::CallbackInfo& info, const char* fn) {
  const size_t count = CountWithDropout(info, 10);
  Args a(info, fn, count);
  const RnnGeom g = ReadGeom(a, info[9], kGru);
  Shapes s = kGru ? GruShapes(a, g) : LstmShapes(a, g);
  const DropoutArgs drop(a, 10, count, g, s, kGru ? 3 : 4);
  float* dx = a.F32OrNull(0, "dx", s.x, "N*T*I");
  float* dkernel = a.F32OrNull(1, "dkernel", s.kernel, s.kernel_expr);
  float* drecurrent = a.F32OrNull(2, "drecurrent", s.recurrent, s.recurrent_expr);
  float* dbias = a.F32OrNull(3, "dbias", s.bias, s.bias_expr);
  float* scratch = a.F32(4, "scratch", s.scratch, s.scratch_expr);
  const float* dout = a.F32(5, "dout", s.out, s.out_expr);
  const float* cache = a.F32(6, "cache", s.cache, s.cache_expr);
  const float* kernel = a.F32(7, "kernel", s.kernel, s.kernel_expr);
  const float* recurrent = a.F32(8, "recurrent", s.recurrent, s.recurrent_expr);
  const uint8_t* step_mask = ReadStepMask(a, 12, count, g);
  kernel_fn(dx, dkernel, drecurrent, dbias, scratch, dout, cache, kernel, recurrent, g, Pool(info.Env()), drop.ptr,
            step_mask);
  return info.Env().Undefined();
}

}  // namespace

void RegisterRnnOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  // [sync] lstmForward(out, cache, x[N*T*I], kernel[I*4U], recurrent[U*4U], bias[4U]|null, geom
  //   [, inputMask[N*I or 4*N*I]|null, recurrentMask[4*N*U]|null[, stepMask[N*T]|null]])
  add("lstmForward", [](const Napi::CallbackInfo& i) { return Forward<lstm_forward, false>(i, "lstmForward"); });
  // [sync] lstmBackward(dx|null, dkernel|null, drecurrent|null, dbias|null, scratch, dout, cache, kernel, recurrent,
  //   geom[, inputMask|null, recurrentMask|null[, stepMask|null]]) with the forward's masks
  add("lstmBackward", [](const Napi::CallbackInfo& i) { return Backward<lstm_backward, false>(i, "lstmBackward"); });
  // [sync] gruForward(out, cache, x[N*T*I], kernel[I*3U], recurrent[U*3U], bias[2*3U or 3U]|null, geom
  //   [, inputMask[N*I or 3*N*I]|null, recurrentMask[3*N*U]|null[, stepMask[N*T]|null]])
  add("gruForward", [](const Napi::CallbackInfo& i) { return Forward<gru_forward, true>(i, "gruForward"); });
  // [sync] gruBackward(dx|null, dkernel|null, drecurrent|null, dbias|null, scratch, dout, cache, kernel, recurrent,
  //   geom[, inputMask|null, recurrentMask|null[, stepMask|null]]) with the forward's masks
  add("gruBackward", [](const Napi::CallbackInfo& i) { return Backward<gru_backward, true>(i, "gruBackward"); });
}

}  // namespace blasnet
