// The addon's export table. No state lives here: the module is loaded once per
// Node environment (main thread and each worker_thread) and every export is a
// pure function of its arguments.
#include <napi.h>

#include "ops.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  blasnet::RegisterCoreOps(env, exports);
  blasnet::RegisterRnnOps(env, exports);
  blasnet::RegisterConvOps(env, exports);
  blasnet::RegisterNormOps(env, exports);
  blasnet::RegisterEmbeddingOps(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(blasnet, Init)
