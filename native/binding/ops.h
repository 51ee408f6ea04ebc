// One registration function per family of exports; addon.cc calls them all.
#pragma once
#include <napi.h>

#include "../kernels/denormals.h"

namespace blasnet {

// Exports fn under name. Every call runs with denormals flushed to zero, and the
// caller's floating-point mode is restored on return or throw (kernels/denormals.h).
inline void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn) {
  exports.Set(name, Napi::Function::New(env, [fn](const Napi::CallbackInfo& info) {
    ScopedFlushDenormals flush;
    return fn(info);
  }, name));
}

void RegisterCoreOps(Napi::Env env, Napi::Object exports);
void RegisterOptimOps(Napi::Env env, Napi::Object exports);
void RegisterRnnOps(Napi::Env env, Napi::Object exports);
void RegisterConvOps(Napi::Env env, Napi::Object exports);
void RegisterNormOps(Napi::Env env, Napi::Object exports);
void RegisterEmbeddingOps(Napi::Env env, Napi::Object exports);
}  // namespace blasnet
