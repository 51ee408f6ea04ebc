// Splitting work across cores. blasnet's kernels parallelise themselves with
// OpenMP (a per-call team: no pool object of ours, nothing global to guard) and
// keep OpenBLAS single-threaded, so the two never fight for the same cores.
// Built without OpenMP everything runs serially, with the same results.
#pragma once
#include <algorithm>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace blasnet {

// Threads a parallel region may use: 1 inside another region (no nesting).
inline int available_threads() {
#ifdef _OPENMP
  return omp_in_parallel() ? 1 : omp_get_max_threads();
#else
  return 1;
#endif
}

// Calls body(lo, hi) on contiguous, disjoint slices covering [0, n), one slice
// per thread, with slices of at least `grain` items. The slice boundaries depend
// only on n and the thread count, so results are reproducible for a given count.
template <typename Body>
void parallel_for(int64_t n, int64_t grain, Body&& body) {
  const int64_t threads = std::min<int64_t>(available_threads(), std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (threads <= 1) {
    if (n > 0) body(int64_t{0}, n);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(static_cast<int>(threads))
  {
    const int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
    const int64_t lo = n * t / count, hi = n * (t + 1) / count;
    if (lo < hi) body(lo, hi);
  }
#endif
}

// Keeps OpenBLAS on the calling thread; blasnet splits large products itself.
void use_single_threaded_blas();

}  // namespace blasnet
