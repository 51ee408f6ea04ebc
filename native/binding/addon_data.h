// Per-environment state of the addon: each Node environment (the main thread
// and every worker_thread) that loads blasnet gets its own AddonData, owned by
// Node through SetInstanceData and freed when that environment exits.
#pragma once
#include <napi.h>

#include <memory>

#include "../kernels/thread_pool.h"

namespace blasnet {

struct AddonData {
  std::unique_ptr<ThreadPool> pool = std::make_unique<ThreadPool>();
};

// The calling environment's thread pool, passed to kernels that split work.
inline ThreadPool& Pool(Napi::Env env) { return *env.GetInstanceData<AddonData>()->pool; }

}  // namespace blasnet
