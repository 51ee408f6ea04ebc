// The small products inside a recurrence, C[M,N] (+)= A[M,K] @ B[K,N] with M a
// few dozen batch rows and B the recurrent matrix. OpenBLAS packs B on every call,
// i.e. copies the whole recurrent matrix at every step; here B is read where it
// lies and stays in cache from one step to the next. Register tiles of 4 rows by
// a few vectors, each C element one chain of fused multiply-adds over k in order,
// so a row's result does not depend on how the rows are split across threads.
//
// The tiles (gemm_small.inc) are compiled for AVX-512 and for AVX2+FMA, each under
// its `#pragma GCC target` as in conv2d_direct.cc; active_isa() picks one at run
// time; other CPUs use sgemm_ld.
#include <cstdint>

#include "kernels.h"
#include "simd_vec.h"

namespace blasnet {

#if BLASNET_X86_SIMD
// Internal linkage: conv2d_direct.cc compiles its own code in namespaces of the same names.
namespace {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
using V = simd::Avx2;
constexpr int kPanelVectors = 3;  // tiles of 4 rows x 3 vectors: 12 accumulators of AVX2's 16 registers
constexpr int kTallRows = 0, kTallVectors = 0;  // no taller tile fits AVX2's registers
#include "gemm_small.inc"
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
using V = simd::Avx512;
constexpr int kPanelVectors = 4;  // tiles of 4 rows x 4 vectors: 16 accumulators of AVX-512's 32 registers
constexpr int kTallRows = 8, kTallVectors = 2;  // or 8 rows x 2 vectors: 16 accumulators, half the reads of B
#include "gemm_small.inc"
}  // namespace avx512
#pragma GCC pop_options

}  // namespace
#endif  // BLASNET_X86_SIMD

void sgemm_small(bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float* C, int64_t ldc) {
#if BLASNET_X86_SIMD
  switch (active_isa()) {
    case Isa::kAvx512: return avx512::gemm(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
    case Isa::kAvx2: return avx2::gemm(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
    default: break;
  }
#endif
  sgemm_ld(false, false, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
}

}  // namespace blasnet
