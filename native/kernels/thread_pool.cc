#include "thread_pool.h"

#include <cstdlib>

#include "denormals.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BLASNET_CPU_RELAX() _mm_pause()
#else
#define BLASNET_CPU_RELAX() std::this_thread::yield()
#endif

namespace blasnet {
namespace {

// True on a thread while it runs a chunk, so a nested run() goes serial.
thread_local bool in_chunk = false;

// Spins this many times before sleeping: short enough not to steal a busy
// machine's cores, long enough to catch the next kernel of a training step.
constexpr int kSpinBeforeSleep = 4000;

int DefaultThreads() {
  if (const char* env = std::getenv("BLASNET_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  const int total = threads > 0 ? threads : DefaultThreads();
  for (int i = 1; i < total; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

bool ThreadPool::TryAcquire() {
  if (in_chunk) return false;
  bool expected = false;
  return busy_.compare_exchange_strong(expected, true, std::memory_order_acquire);
}

void ThreadPool::RunChunks() {
  const bool was_in_chunk = in_chunk;
  in_chunk = true;
  for (;;) {
    const int64_t c = next_.fetch_add(1, std::memory_order_relaxed);
    if (c >= chunks_) break;
    fn_(ctx_, c);
  }
  in_chunk = was_in_chunk;
}

void ThreadPool::Dispatch(int64_t chunks, ChunkFn fn, void* ctx) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    ctx_ = ctx;
    chunks_ = chunks;
    next_.store(0, std::memory_order_relaxed);
    open_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  RunChunks();
  {
    // Late workers must not join a job whose chunks are all taken.
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
  }
  // Only workers that joined can still be running a chunk. Spin briefly, then
  // yield: on a busy machine that worker may be waiting for this very core.
  for (int spin = 0; active_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinBeforeSleep) {
      BLASNET_CPU_RELAX();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::WorkerLoop() {
  // Workers only ever run kernels: they flush denormals for good (denormals.h).
  flush_denormals_on_this_thread();
  // Start from generation 0, not from whatever the counter holds when this thread
  // first runs: a pool destroyed before its workers were scheduled must still stop them.
  uint64_t seen = 0;
  for (;;) {
    for (int spin = 0; spin < kSpinBeforeSleep && generation_.load(std::memory_order_acquire) == seen; ++spin) {
      BLASNET_CPU_RELAX();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
    if (stop_) return;
    seen = generation_.load(std::memory_order_relaxed);
    if (!open_) continue;
    active_.fetch_add(1, std::memory_order_acq_rel);
    lock.unlock();
    RunChunks();
    active_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace blasnet
