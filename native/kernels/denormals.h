// Denormal floats flushed to zero, as TensorFlow (and so Keras) runs its CPU kernels.
//
// Why: parameters whose gradient stays zero (dead ReLU units, unused embedding rows)
// have Adam moments that shrink by beta1 every step and become denormal after ~750
// steps; x86 then takes microcode assists on every operation that touches them, and a
// training step runs twice as slowly. With flush-to-zero (FTZ: denormal results become
// 0) and denormals-are-zero (DAZ: denormal inputs read as 0) the same step runs at full
// speed, and results match TensorFlow's.
//
// The mode lives in each thread's MXCSR register. The addon's pool threads set it once
// and keep it; the JavaScript thread shares the register with JavaScript's own double
// arithmetic, so every native call sets it on entry and restores the caller's on exit
// (ScopedFlushDenormals), and JavaScript keeps IEEE denormals. (A getter or Proxy on an
// argument object, e.g. a geometry, runs inside the call and so with flushing on.)
#pragma once

#if defined(__x86_64__)
#include <xmmintrin.h>
#define BLASNET_FLUSH_DENORMALS 1
#else
#define BLASNET_FLUSH_DENORMALS 0
#endif

namespace blasnet {

// Whether this build flushes denormals (x86-64); elsewhere native code keeps IEEE denormals.
constexpr bool kFlushesDenormals = BLASNET_FLUSH_DENORMALS;

#if BLASNET_FLUSH_DENORMALS
// MXCSR bits: FTZ (bit 15) and DAZ (bit 6).
constexpr unsigned kFlushDenormalBits = 0x8000u | 0x0040u;

// Sets FTZ and DAZ on the calling thread for good (the pool's workers).
inline void flush_denormals_on_this_thread() noexcept { _mm_setcsr(_mm_getcsr() | kFlushDenormalBits); }

// Sets FTZ and DAZ for the lifetime of the object and then restores the thread's mode,
// also when an exception unwinds through it.
class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals() noexcept : saved_(_mm_getcsr()) {
    if ((saved_ & kFlushDenormalBits) != kFlushDenormalBits) _mm_setcsr(saved_ | kFlushDenormalBits);
  }
  ~ScopedFlushDenormals() {
    if ((saved_ & kFlushDenormalBits) != kFlushDenormalBits) _mm_setcsr(saved_);
  }
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;

 private:
  unsigned saved_;
};
#else
inline void flush_denormals_on_this_thread() noexcept {}
class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals() noexcept = default;
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;
};
#endif

}  // namespace blasnet
