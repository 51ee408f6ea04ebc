// One registration function per family of exports; addon.cc calls them all.
#pragma once
#include <napi.h>

namespace blasnet {
void RegisterCoreOps(Napi::Env env, Napi::Object exports);
void RegisterRnnOps(Napi::Env env, Napi::Object exports);
void RegisterConvOps(Napi::Env env, Napi::Object exports);
void RegisterNormOps(Napi::Env env, Napi::Object exports);
void RegisterEmbeddingOps(Napi::Env env, Napi::Object exports);
}  // namespace blasnet
