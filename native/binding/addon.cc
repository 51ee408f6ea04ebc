// The addon's export table. No state lives here: the module is loaded once per
// Node environment (main thread and each worker_thread) and every export is a
// pure function of its arguments.
#include <napi.h>

#include "../kernels/parallel.h"
#include "ops.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Idempotent, so safe when several worker_threads load the addon.
  blasnet::use_single_threaded_blas();
  blasnet::RegisterCoreOps(env, exports);
  blasnet::RegisterRnnOps(env, exports);
  blasnet::RegisterConvOps(env, exports);
  blasnet::RegisterNormOps(env, exports);
  blasnet::RegisterEmbeddingOps(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(blasnet, Init)
