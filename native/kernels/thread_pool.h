// A small fork-join pool for blasnet's kernels.
//
// One pool belongs to each loaded addon instance (the main thread and every
// worker_thread get their own; see binding/addon.cc), and is passed to the
// kernels that split work, so kernels still hold no state of their own.
// OpenBLAS is kept single-threaded (use_single_threaded_blas) and large GEMMs
// are split here instead, so the two never oversubscribe the cores.
//
// Work is handed out in chunks from a shared counter and the calling thread
// takes chunks too: when a worker is descheduled (a busy server), the caller
// simply does its share, instead of waiting at a barrier for it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace blasnet {

class ThreadPool {
 public:
  // threads counts the caller: ThreadPool(2) starts one worker. threads <= 0 means
  // the BLASNET_NUM_THREADS environment variable, else the number of cores.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads that may run chunks at once, the caller included.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls body(c) once for every chunk c in [0, chunks), on the caller and idle
  // workers, and returns when all have finished. Chunks must be independent.
  template <typename Body>
  void run(int64_t chunks, Body&& body) {
    if (chunks <= 0) return;
    // Serial when there is nothing to share, when called from inside a chunk
    // (no nesting), or when another thread is using the pool right now.
    if (chunks == 1 || workers_.empty() || !TryAcquire()) {
      for (int64_t c = 0; c < chunks; ++c) body(c);
      return;
    }
    Dispatch(chunks, [](void* ctx, int64_t c) { (*static_cast<Body*>(ctx))(c); }, &body);
    busy_.store(false, std::memory_order_release);
  }

  // Splits [0, n) into about size() contiguous slices of at least `grain` items and
  // calls body(lo, hi) on each. Slice boundaries depend on n, grain and size() only.
  template <typename Body>
  void parallel_for(int64_t n, int64_t grain, Body&& body) {
    const int64_t slices = SliceCount(n, grain);
    run(slices, [&](int64_t s) { body(n * s / slices, n * (s + 1) / slices); });
  }

  // How many slices parallel_for(n, grain) uses: callers size per-slice scratch with it.
  int64_t SliceCount(int64_t n, int64_t grain) const {
    if (n <= 0) return 0;
    const int64_t by_grain = grain > 0 ? n / grain : n;
    return by_grain < 1 ? 1 : (by_grain < size() ? by_grain : size());
  }

 private:
  using ChunkFn = void (*)(void*, int64_t);
  bool TryAcquire();
  void Dispatch(int64_t chunks, ChunkFn fn, void* ctx);
  void WorkerLoop();
  void RunChunks();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  // The current job; written under mutex_ before generation_ is bumped.
  std::atomic<uint64_t> generation_{0};
  bool open_ = false;
  ChunkFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t chunks_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> busy_{false};
};

}  // namespace blasnet
