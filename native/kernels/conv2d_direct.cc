// Direct convolution for inputs with few channels, and the convolution fused
// with the max pooling after it. The kernels (conv2d_direct.inc) are compiled
// three times: portable, AVX2+FMA and AVX-512, each against its own vector type
// below (the AVX ones extend simd_vec.h's), and active_isa() picks one at run
// time. The portable type is 4 floats in GCC vector extensions, which become SSE2
// (or NEON) code.
//
// The AVX regions use `#pragma GCC target`, so only the functions inside them use
// those instructions. Every standard header is included before the first region:
// an inline library function first defined inside a region would be compiled for
// that instruction set and could be shared with code that runs on any CPU.
#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "simd_vec.h"

namespace blasnet {
// Internal linkage: other files compile their own per-instruction-set code in
// namespaces of the same names (gemm_small.cc), and inline functions of the same
// name with different bodies must not meet at link time.
namespace {

namespace portable {
struct V {
  typedef float F __attribute__((vector_size(16)));
  typedef int32_t M __attribute__((vector_size(16)));  // all ones where true
  static constexpr int L = 4, kTile = 8, kTaps = 5;
  static F zero() { return F{}; }
  static F set1(float v) { return F{} + v; }
  static F load(const float* p) { return load_n(p, L); }
  static void store(float* p, F v) { store_n(p, v, L); }
  static F load_n(const float* p, int n) {
    F v{};
    std::memcpy(&v, p, sizeof(float) * static_cast<size_t>(n));
    return v;
  }
  static void store_n(float* p, F v, int n) { std::memcpy(p, &v, sizeof(float) * static_cast<size_t>(n)); }
  static F fmadd(F a, F b, F c) { return a * b + c; }
  static F add(F a, F b) { return a + b; }
  static F mul(F a, F b) { return a * b; }
  static F relu(F a) { return a <= F{} ? F{} : a; }
  static M takes(F v, F best) { return (v > best) | (v != v); }
  static M gt(F a, F b) { return a > b; }
  static M eq(F a, F b) { return a == b; }
  static F select(M m, F a, F b) { return m ? a : b; }
  static F keep(M m, F a) { return m ? a : F{}; }
  static float hsum(F a) {
    float s = 0.0f;
    for (int i = 0; i < L; ++i) s += a[i];
    return s;
  }
  static F load_u8(const uint8_t* p, int n) {
    F v{};
    for (int i = 0; i < n; ++i) v[i] = p[i];
    return v;
  }
  static void store_u8(uint8_t* p, F v, int n) {
    for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v[i]);
  }
};
#include "conv2d_direct.inc"
}  // namespace portable

#if BLASNET_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct V : simd::Avx2 {
  using M = __m256;  // all-ones lanes where true
  static constexpr int kTile = 8, kTaps = 5;  // of 16 registers
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  // Not max(a, 0), which returns 0 for NaN: a is cleared only where a <= 0 (-0 becomes +0).
  static F relu(F a) { return _mm256_andnot_ps(_mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_LE_OQ), a); }
  static M takes(F v, F best) {
    return _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  static M gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M eq(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static F keep(M m, F a) { return _mm256_and_ps(m, a); }
  static float hsum(F a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
  static F load_u8(const uint8_t* p, int n) {
    uint64_t bytes = 0;
    if (n == L) {
      std::memcpy(&bytes, p, 8);
    } else {
      for (int i = 0; i < n; ++i) bytes |= static_cast<uint64_t>(p[i]) << (8 * i);
    }
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<int64_t>(bytes))));
  }
  static void store_u8(uint8_t* p, F v, int n) {
    const __m256i i32 = _mm256_cvttps_epi32(v);
    const __m128i u16 = _mm_packus_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
    const uint64_t bytes = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(u16, u16)));
    if (n == L) {
      std::memcpy(p, &bytes, 8);
    } else {
      for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(bytes >> (8 * i));
    }
  }
};
#include "conv2d_direct.inc"
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
// GCC 12 flags the deliberately undefined vectors inside its own AVX-512 intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace avx512 {
struct V : simd::Avx512 {
  using M = __mmask16;
  static constexpr int kTile = 16, kTaps = 9;  // of 32 registers
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F relu(F a) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NLE_UQ), a); }
  static M takes(F v, F best) {
    return _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  }
  static M gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M eq(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static F keep(M m, F a) { return _mm512_maskz_mov_ps(m, a); }
  static float hsum(F a) { return _mm512_reduce_add_ps(a); }
  static F load_u8(const uint8_t* p, int n) {
    __m128i bytes;
    if (n == L) {
      bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    } else {
      alignas(16) uint8_t part[16] = {};
      for (int i = 0; i < n; ++i) part[i] = p[i];
      bytes = _mm_load_si128(reinterpret_cast<const __m128i*>(part));
    }
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes));
  }
  static void store_u8(uint8_t* p, F v, int n) { _mm512_mask_cvtepi32_storeu_epi8(p, first(n), _mm512_cvttps_epi32(v)); }
};
#include "conv2d_direct.inc"
}  // namespace avx512
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif  // BLASNET_X86_SIMD

}  // namespace

// Calls the version of `fn` compiled for the active instruction set.
#if BLASNET_X86_SIMD
#define BLASNET_DISPATCH(fn, ...)                                      \
  switch (active_isa()) {                                              \
    case Isa::kAvx512: return avx512::fn(__VA_ARGS__);                 \
    case Isa::kAvx2: return avx2::fn(__VA_ARGS__);                     \
    default: return portable::fn(__VA_ARGS__);                         \
  }
#else
#define BLASNET_DISPATCH(fn, ...) return portable::fn(__VA_ARGS__);
#endif

void conv2d_direct_forward(float* out, const float* in, const float* w, const float* b, const Conv2DGeom& g,
                           Activation act, ThreadPool& pool) {
  const bool relu = act == Activation::kRelu;
  BLASNET_DISPATCH(conv_forward, out, in, w, b, g, relu, pool)
}

void conv2d_direct_backward(float* dx, float* dw, float* db, const float* dy, const float* y, const float* in,
                            const float* w, const Conv2DGeom& g, Activation act, ThreadPool& pool) {
  const float* relu_output = act == Activation::kRelu ? y : nullptr;
  BLASNET_DISPATCH(conv_backward, dx, dw, db, dy, relu_output, in, w, g, pool)
}

void conv2d_max_pool_forward(float* out, uint8_t* argmax, const float* in, const float* w, const float* b,
                             const Conv2DGeom& g, const Pool2DGeom& p, Activation act, ThreadPool& pool) {
  const bool relu = act == Activation::kRelu;
  BLASNET_DISPATCH(conv_pool_forward, out, argmax, in, w, b, g, p, relu, pool)
}

void conv2d_max_pool_backward(float* dx, float* dw, float* db, const float* dout, const uint8_t* argmax,
                              const float* in, const float* w, const Conv2DGeom& g, const Pool2DGeom& p,
                              ThreadPool& pool) {
  BLASNET_DISPATCH(conv_pool_backward, dx, dw, db, dout, argmax, in, w, g, p, pool)
}

}  // namespace blasnet
