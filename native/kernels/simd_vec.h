// The vector basics shared by the hand-vectorised kernels (gemm_small.cc,
// conv2d_direct.cc): load, store, partial loads and stores of the first n lanes,
// fused multiply-add and multiply, for AVX2+FMA and AVX-512. Each function carries its own
// target attribute, so this header may be included anywhere; its functions are
// only ever called from code compiled for the same instruction set (inside that
// file's `#pragma GCC target` region), into which they inline.
#pragma once

#include "kernels.h"

#if BLASNET_X86_SIMD
#include <immintrin.h>

#define BLASNET_AVX2_FN __attribute__((target("avx2,fma"), always_inline)) static inline
#define BLASNET_AVX512_FN __attribute__((target("avx512f,avx2,fma"), always_inline)) static inline

namespace blasnet {
namespace simd {

struct Avx2 {
  using F = __m256;
  static constexpr int L = 8;
  BLASNET_AVX2_FN F zero() { return _mm256_setzero_ps(); }
  BLASNET_AVX2_FN F set1(float v) { return _mm256_set1_ps(v); }
  BLASNET_AVX2_FN F load(const float* p) { return _mm256_loadu_ps(p); }
  BLASNET_AVX2_FN void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  BLASNET_AVX2_FN __m256i first(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  BLASNET_AVX2_FN F load_n(const float* p, int n) { return _mm256_maskload_ps(p, first(n)); }
  // A masked store is microcoded and slow on AMD; partial vectors are rare, so go through memory.
  BLASNET_AVX2_FN void store_n(float* p, F v, int n) {
    alignas(32) float t[8];
    _mm256_store_ps(t, v);
    for (int i = 0; i < n; ++i) p[i] = t[i];
  }
  BLASNET_AVX2_FN F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  BLASNET_AVX2_FN F mul(F a, F b) { return _mm256_mul_ps(a, b); }
};

struct Avx512 {
  using F = __m512;
  static constexpr int L = 16;
  BLASNET_AVX512_FN F zero() { return _mm512_setzero_ps(); }
  BLASNET_AVX512_FN F set1(float v) { return _mm512_set1_ps(v); }
  BLASNET_AVX512_FN F load(const float* p) { return _mm512_loadu_ps(p); }
  BLASNET_AVX512_FN void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  BLASNET_AVX512_FN __mmask16 first(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  BLASNET_AVX512_FN F load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
  BLASNET_AVX512_FN void store_n(float* p, F v, int n) { _mm512_mask_storeu_ps(p, first(n), v); }
  BLASNET_AVX512_FN F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  BLASNET_AVX512_FN F mul(F a, F b) { return _mm512_mul_ps(a, b); }
};

}  // namespace simd
}  // namespace blasnet

#undef BLASNET_AVX2_FN
#undef BLASNET_AVX512_FN
#endif  // BLASNET_X86_SIMD
