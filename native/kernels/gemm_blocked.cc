// sgemm's engine on AVX2 and AVX-512 CPUs: a cache-blocked GEMM with register
// tiles of 12x32 (AVX-512) or 6x16 (AVX2) floats (gemm_blocked.inc). OpenBLAS's
// DYNAMIC_ARCH picks its kernels by CPU model and falls back to SSE3 ("Prescott")
// on models it predates, which runs the seed CNN's dense layer at a quarter of
// what the CPU can do; these tiles are chosen by instruction set instead.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

#include "kernels.h"
#include "simd_vec.h"

#if BLASNET_X86_SIMD
#include <immintrin.h>
#endif

namespace blasnet {

#if BLASNET_X86_SIMD
namespace {

constexpr int64_t RoundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// Block sizes: a [kKC, NR] micro-panel of B stays in L1, a [kMC, kKC] block of A in L2.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 144;
constexpr int64_t kNC = 2048;
// How many rows of B ahead the register tile prefetches.
constexpr int64_t kPrefetchRows = 8;
// Up to this many columns, a row-major A is read in place rather than packed.
constexpr int64_t kFewColumns = 128;
// Up to this many rows, a product with a transposed B is computed transposed.
constexpr int64_t kSwapRows = 64;

// Packing space of the calling thread, grown on first use and kept for the thread's
// life: a GEMM inside a training step then allocates nothing. Each thread has its
// own, so concurrent GEMMs (pool workers, worker_threads) never share one.
class Scratch {
 public:
  // n floats, 64-byte aligned (the register tile loads whole cache lines of the packed
  // panels), or null when memory is short: the caller then falls back to OpenBLAS, whose
  // rounding differs, so under memory pressure a split product's bits may depend on
  // which thread got its space.
  float* floats(int64_t n) noexcept {
    if (n > size_) {
      data_.reset(static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t{64}, std::nothrow)));
      size_ = data_ ? n : 0;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<float, Free> data_;
  int64_t size_ = 0;
};

thread_local Scratch tls_scratch;

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
using V = simd::Avx2;
constexpr int MR = 6, NV = 2;  // 12 accumulators + 2 B vectors + 1 broadcast of AVX2's 16 registers
#include "gemm_blocked.inc"
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
using V = simd::Avx512;
constexpr int MR = 12, NV = 2;  // 24 accumulators + 2 B vectors + 1 broadcast of AVX-512's 32 registers
#include "gemm_blocked.inc"
}  // namespace avx512
#pragma GCC pop_options

}  // namespace
#endif  // BLASNET_X86_SIMD

// Parameters go unused in builds without the x86 tiles.
bool sgemm_blocked([[maybe_unused]] bool trans_a, [[maybe_unused]] bool trans_b, [[maybe_unused]] int64_t M,
                   [[maybe_unused]] int64_t N, [[maybe_unused]] int64_t K, [[maybe_unused]] float alpha,
                   [[maybe_unused]] const float* A, [[maybe_unused]] int64_t lda, [[maybe_unused]] const float* B,
                   [[maybe_unused]] int64_t ldb, [[maybe_unused]] float beta, [[maybe_unused]] float* C,
                   [[maybe_unused]] int64_t ldc) noexcept {
#if BLASNET_X86_SIMD
  // alpha 0 or an empty K only scale C, which BLAS does without reading A and B.
  if (M <= 0 || N <= 0 || K <= 0 || alpha == 0.0f) return false;
  // A few rows times a transposed B (a dense layer's input gradient, dz @ w^T) would
  // copy all of B into panels; computing C^T = op(B)^T @ op(A)^T instead reads B in
  // place as the A operand (its rows are contiguous) and packs only the few rows of A.
  const bool swap = trans_b && M <= kSwapRows && N > M;
  auto run = [&](auto gemm) {
    return swap ? gemm(!trans_b, !trans_a, N, M, K, alpha, B, ldb, A, lda, beta, C, ldc, true, tls_scratch)
                : gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, false, tls_scratch);
  };
  switch (active_isa()) {
    case Isa::kAvx512: return run(avx512::gemm);
    case Isa::kAvx2: return run(avx2::gemm);
    default: break;
  }
#endif
  return false;
}

}  // namespace blasnet
