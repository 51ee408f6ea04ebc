// Exports for the optimizer kernels (optim.cc). Each wrapper reads and checks
// its arguments, then calls exactly one kernel.
#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// [sync] sgdUpdate(w, velocity|null, g, lr, momentum, nesterov, weightDecay, consumeGrad); arrays of
// w's length. With consumeGrad, g is zeroed as it is read.
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "sgdUpdate", 8);
  const int64_t n = a.Length(0);
  float* w = a.F32(0, "w", n, "w.length");
  float* velocity = a.F32OrNull(1, "velocity", n, "w.length");
  float* g = a.F32(2, "g", n, "w.length");
  const float momentum = static_cast<float>(a.Number(4, "momentum"));
  if (momentum > 0 && !velocity) a.Fail("velocity is required when momentum > 0");
  sgd_update(w, velocity, g, n, static_cast<float>(a.Number(3, "lr")), momentum, a.Bool(5, "nesterov"),
             static_cast<float>(a.Number(6, "weightDecay")), a.Bool(7, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] adamUpdate(w, m, v, g, lr, beta1, beta2, epsilon, step, weightDecay, consumeGrad); step >= 1.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "adamUpdate", 11);
  const int64_t n = a.Length(0);
  float* w = a.F32(0, "w", n, "w.length");
  float* m = a.F32(1, "m", n, "w.length");
  float* v = a.F32(2, "v", n, "w.length");
  float* g = a.F32(3, "g", n, "w.length");
  adam_update(w, m, v, g, n, static_cast<float>(a.Number(4, "lr")), static_cast<float>(a.Number(5, "beta1")),
              static_cast<float>(a.Number(6, "beta2")), static_cast<float>(a.Number(7, "epsilon")),
              a.Int(8, "step", 1, kMaxElements), static_cast<float>(a.Number(9, "weightDecay")),
              a.Bool(10, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] rmspropUpdate(w, meanSquare, momentum|null, meanGrad|null, g, lr, rho, momentum, epsilon,
// weightDecay, consumeGrad)
Napi::Value RmspropUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "rmspropUpdate", 11);
  const int64_t n = a.Length(0);
  float* w = a.F32(0, "w", n, "w.length");
  float* ms = a.F32(1, "meanSquare", n, "w.length");
  float* mom = a.F32OrNull(2, "momentumBuffer", n, "w.length");
  float* mg = a.F32OrNull(3, "meanGrad", n, "w.length");
  float* g = a.F32(4, "g", n, "w.length");
  const float momentum = static_cast<float>(a.Number(7, "momentum"));
  if (momentum > 0 && !mom) a.Fail("momentumBuffer is required when momentum > 0");
  rmsprop_update(w, ms, mom, mg, g, n, static_cast<float>(a.Number(5, "lr")),
                 static_cast<float>(a.Number(6, "rho")), momentum, static_cast<float>(a.Number(8, "epsilon")),
                 static_cast<float>(a.Number(9, "weightDecay")), a.Bool(10, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

}  // namespace

void RegisterOptimOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  add("sgdUpdate", SgdUpdate);
  add("adamUpdate", AdamUpdate);
  add("rmspropUpdate", RmspropUpdate);
}

}  // namespace blasnet
