// Per-instruction-set code generation for hot loops. BLASNET_MULTIVERSION makes
// the compiler emit AVX-512, AVX2 and baseline versions of a function and pick
// one at load time from the CPU (an ifunc), so a binary built on one machine is
// fast on newer CPUs and still runs on older ones. Never -march=native.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(BLASNET_NO_MULTIVERSION)
// Feature levels, not CPU models: an "arch=haswell" clone is only chosen on Intel
// CPUs of that family (GCC dispatches arch= clones by model), so AMD CPUs with AVX2
// and AVX-512 got the baseline. x86-64-v4 is AVX-512 F/BW/CD/DQ/VL, v3 AVX2+FMA.
#define BLASNET_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BLASNET_MULTIVERSION
#endif
