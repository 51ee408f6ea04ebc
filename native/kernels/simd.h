// Per-instruction-set code generation for hot loops. BLASNET_MULTIVERSION makes
// the compiler emit AVX-512, AVX2 and baseline versions of a function and pick
// one at load time from the CPU (an ifunc), so a binary built on one machine is
// fast on newer CPUs and still runs on older ones. Never -march=native.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(BLASNET_NO_MULTIVERSION)
#define BLASNET_MULTIVERSION __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define BLASNET_MULTIVERSION
#endif
