#include <cblas.h>

#include "kernels.h"
#include "thread_pool.h"

namespace blasnet {
namespace {

// Below this many multiply-adds a product is not worth splitting across threads.
constexpr int64_t kParallelGemmWork = int64_t{1} << 20;

// One single-threaded product: the blocked AVX2/AVX-512 GEMM where the CPU has it, else OpenBLAS.
void cblas(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (sgemm_blocked(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}

}  // namespace

void use_single_threaded_blas() { openblas_set_num_threads(1); }

const char* blas_config() { return openblas_get_config(); }

void sgemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc, ThreadPool* pool) {
  if (!pool || pool->size() == 1 || M * N * K < kParallelGemmWork) {
    cblas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  // Split the output into disjoint row blocks (column blocks when C is short and
  // wide); each block is a single-threaded GEMM, so results do not depend on timing.
  if (M >= N || M >= 64) {
    pool->parallel_for(M, 16, [&](int64_t lo, int64_t hi) {
      const float* a = trans_a ? A + lo : A + lo * lda;
      cblas(trans_a, trans_b, hi - lo, N, K, alpha, a, lda, B, ldb, beta, C + lo * ldc, ldc);
    });
  } else {
    pool->parallel_for(N, 16, [&](int64_t lo, int64_t hi) {
      const float* b = trans_b ? B + lo * ldb : B + lo;
      cblas(trans_a, trans_b, M, hi - lo, K, alpha, A, lda, b, ldb, beta, C + lo, ldc);
    });
  }
}

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           const float* B, float beta, float* C, ThreadPool* pool) {
  sgemm_ld(trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N, pool);
}

}  // namespace blasnet
