// The addon's export table. The module is loaded once per Node environment
// (main thread and each worker_thread); its only state is that environment's
// thread pool (addon_data.h). Every other export is a function of its arguments.
#include <napi.h>

#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace {

// [sync] setNumThreads(n): threads (the caller included) this environment's kernels use, 1..256.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  blasnet::Args a(info, "setNumThreads", 1);
  const int n = static_cast<int>(a.Int(0, "n", 1, 256));
  info.Env().GetInstanceData<blasnet::AddonData>()->pool = std::make_unique<blasnet::ThreadPool>(n);
  return info.Env().Undefined();
}

// [sync] getNumThreads() -> threads this environment's kernels use.
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), blasnet::Pool(info.Env()).size());
}

// [sync] simdLevel() -> the instruction set the hand-vectorised kernels use on this CPU:
// 'avx512', 'avx2' or 'portable' (BLASNET_SIMD=avx2|portable lowers it).
Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), blasnet::isa_name(blasnet::active_isa()));
}

// [sync] backendInfo() -> {simd, threads, denormals, blas}: the hand-vectorised kernels'
// instruction set (as simdLevel), this environment's threads (as getNumThreads), 'flush-to-zero'
// when native code flushes denormal floats as TensorFlow does (x86-64 builds) or 'ieee' when it
// keeps them, and OpenBLAS's build description.
Napi::Value BackendInfo(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("simd", blasnet::isa_name(blasnet::active_isa()));
  out.Set("threads", blasnet::Pool(env).size());
  out.Set("denormals", blasnet::kFlushesDenormals ? "flush-to-zero" : "ieee");
  out.Set("blas", blasnet::blas_config());
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // blasnet splits work over its own pool; keeping OpenBLAS single-threaded
  // (idempotent, so safe when several worker_threads load the addon) stops the
  // two from oversubscribing the cores.
  blasnet::use_single_threaded_blas();
  env.SetInstanceData(new blasnet::AddonData());
  blasnet::Export(env, exports, "setNumThreads", SetNumThreads);
  blasnet::Export(env, exports, "getNumThreads", GetNumThreads);
  blasnet::Export(env, exports, "simdLevel", SimdLevel);
  blasnet::Export(env, exports, "backendInfo", BackendInfo);
  blasnet::RegisterCoreOps(env, exports);
  blasnet::RegisterOptimOps(env, exports);
  blasnet::RegisterRnnOps(env, exports);
  blasnet::RegisterConvOps(env, exports);
  blasnet::RegisterNormOps(env, exports);
  blasnet::RegisterEmbeddingOps(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(blasnet, Init)
