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

#if BLASNET_X86_SIMD
#include <immintrin.h>
#endif

namespace blasnet {

#if BLASNET_X86_SIMD
// Internal linkage: conv2d_direct.cc defines vector types of the same names.
namespace {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct V {
  using F = __m256;
  static constexpr int L = 8;
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F load_n(const float* p, int n) {
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
  }
  // A masked store is microcoded and slow on AMD; go through memory instead.
  static void store_n(float* p, F v, int n) {
    alignas(32) float t[8];
    _mm256_store_ps(t, v);
    for (int i = 0; i < n; ++i) p[i] = t[i];
  }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
};
#include "gemm_small.inc"
// Tiles of 4 rows x 3 vectors: 12 accumulators of AVX2's 16 registers.
void gemm(bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
          int64_t ldb, float* C, int64_t ldc) {
  product<V, 3>(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
}
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace avx512 {
struct V {
  using F = __m512;
  static constexpr int L = 16;
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static __mmask16 first(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static F load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
  static void store_n(float* p, F v, int n) { _mm512_mask_storeu_ps(p, first(n), v); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
};
#include "gemm_small.inc"
// Tiles of 4 rows x 4 vectors: 16 accumulators of AVX-512's 32 registers.
void gemm(bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
          int64_t ldb, float* C, int64_t ldc) {
  product<V, 4>(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
}
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
