// Which instruction set the hand-vectorised kernels (conv2d_direct.cc) run with.
// The binary carries every version; the CPU decides at run time, so a build made
// on one machine neither crashes on an older CPU nor leaves a newer one idle.
#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace blasnet {
namespace {

Isa DetectIsa() {
  Isa best = Isa::kPortable;
#if BLASNET_X86_SIMD
  __builtin_cpu_init();
  // libgcc also checks that the OS saves the wider registers (XGETBV) before reporting them.
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Isa::kAvx2;
  if (best == Isa::kAvx2 && __builtin_cpu_supports("avx512f")) best = Isa::kAvx512;
#endif
  // BLASNET_SIMD can only lower the choice: tests use it to run every version on one machine.
  if (const char* cap = std::getenv("BLASNET_SIMD")) {
    for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
      if (std::strcmp(cap, isa_name(isa)) == 0 && isa < best) best = isa;
    }
  }
  return best;
}

}  // namespace

Isa active_isa() {
  static const Isa isa = DetectIsa();  // decided once, read-only afterwards
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    default: return "portable";
  }
}

}  // namespace blasnet
