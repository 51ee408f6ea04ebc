// Float exp, sigmoid and tanh (and, at the end, the ReLU and running-max rules)
// written so that a loop over them vectorises: no calls, no branches, only
// arithmetic, compares and bit moves. Inline them into a BLASNET_MULTIVERSION
// (simd.h) loop to get AVX-512 / AVX2 code chosen at run time. libm's
// expf/tanhf are exact to within an ulp but are scalar calls, which made them
// most of an LSTM's time; these stay within a few ulp (checked against double
// precision in test/kernels/vec-math.test.ts) and keep IEEE semantics (no
// -ffast-math).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

// Forces inlining: a loop in a multiversioned function only gets that function's
// instruction set for the code inlined into it.
#if defined(__GNUC__)
#define BLASNET_INLINE inline __attribute__((always_inline))
#define BLASNET_INLINE_LAMBDA __attribute__((always_inline))  // after a lambda's parameter list
#else
#define BLASNET_INLINE inline
#define BLASNET_INLINE_LAMBDA
#endif

namespace blasnet {

// e^x: Cody-Waite reduction x = n*ln2 + r with |r| <= ln2/2, Cephes' degree-6
// polynomial for e^r (relative error ~1e-7), and 2^n built in the exponent bits.
// x is clamped to [-87, 88], where e^x is a normal float: below -87 it returns
// e^-87 (1.6e-38) instead of a subnormal or 0, above 88 it returns e^88.
BLASNET_INLINE float exp_vec(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;          // ln 2 = kLn2Hi + kLn2Lo, kLn2Hi exact in 9 bits
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRoundToInt = 12582912.0f;      // 1.5 * 2^23: adding it rounds to an integer
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float n = (x * kLog2e + kRoundToInt) - kRoundToInt;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = (p * r) * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float two_n;
  std::memcpy(&two_n, &bits, sizeof two_n);
  return er * two_n;
}

// 1 / (1 + e^-x), from e^-|x| so nothing overflows: e/(1+e) for negative x.
BLASNET_INLINE float sigmoid_vec(float x) {
  const float e = exp_vec(-std::fabs(x));
  const float s = 1.0f / (1.0f + e);
  return x >= 0.0f ? s : e * s;
}

// tanh(|x|) with x's sign (so tanh(-0) = -0): Cephes' odd polynomial below
// |x| = 0.625 (where 1 - e^-2|x| would lose digits), else (1 - e) / (1 + e) with
// e = e^-2|x|.
BLASNET_INLINE float tanh_vec(float x) {
  const float ax = std::fabs(x);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * ax + ax;
  const float e = exp_vec(-2.0f * ax);
  const float large = (1.0f - e) / (1.0f + e);
  return std::copysign(ax < 0.625f ? small : large, x);
}

// ReLU as TensorFlow's (Eigen's cwiseMax<PropagateNaN>(0)): NaN stays NaN, so one bad
// input cannot vanish into a 0 downstream. -0 gives +0. A compare and a select, no max:
// x86's max returns its second operand for NaN, and std::fmax drops NaN.
BLASNET_INLINE float relu_vec(float x) { return x <= 0.0f ? 0.0f : x; }

// The gradient at a ReLU's input, exactly TF's ReluGrad: dy * (f > 0), f the ReLU's input
// or its output (positive at the same places, and NaN > 0 is false for both). So a NaN
// input passes no gradient; a multiply, not a select, so a NaN or infinite dy still
// turns the gradient NaN where the unit is off, as it does in TF.
BLASNET_INLINE float relu_grad_vec(float dy, float f) { return dy * (f > 0.0f ? 1.0f : 0.0f); }

// Whether v replaces best in a running max that propagates NaN, as TF's max pooling
// and max reductions do: when greater (the first of equal maxima keeps the argmax,
// TF's rule) or when NaN (a later finite value never replaces a NaN). The max of
// cells holding a NaN is thus NaN and its argmax the last NaN, as in PyTorch's max
// pooling. `|`, not `||`: no branch where a loop does not vectorise.
BLASNET_INLINE bool max_takes(float v, float best) { return (v > best) | (v != v); }

}  // namespace blasnet
