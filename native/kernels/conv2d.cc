// 2-D convolution as im2col + one GEMM per chunk of samples, NHWC throughout
// (inputs with few channels go to the direct kernels of conv2d_direct.cc).
// A column row holds one output pixel's receptive field in [KH,KW,C] order,
// which is the row order of Keras's [KH,KW,C,OC] kernel read as a matrix
// [KH*KW*C, OC], so out = col @ w with no reshuffling of the weights. The
// copies into and out of the columns split the chunk's samples across the pool,
// and the GEMMs split their rows.
#include <algorithm>
#include <cstring>

#include "kernels.h"

namespace blasnet {
namespace {

// col[nb*OH*OW, KH*KW*C] = receptive fields of samples n0..n0+nb; padding reads as 0.
// Each (kh, kw) tap copies a contiguous run of C channels; with no dilation
// along W and the window inside the row, the whole KW*C run is one copy.
void im2col(float* col, const float* in, const Conv2DGeom& g, int64_t n0, int64_t nb) {
  const int64_t C = g.C, run = g.KW * g.C, K = g.KH * run;
  float* row = col;
  for (int64_t n = n0; n < n0 + nb; ++n) {
    const float* img = in + n * g.H * g.W * C;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow, row += K) {
        const int64_t iw0 = ow * g.SW - g.PL;
        const bool contiguous = g.DW == 1 && iw0 >= 0 && iw0 + g.KW <= g.W;
        for (int64_t kh = 0; kh < g.KH; ++kh) {
          float* dst = row + kh * run;
          const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
          if (ih < 0 || ih >= g.H) {
            std::memset(dst, 0, sizeof(float) * run);
            continue;
          }
          const float* src = img + ih * g.W * C;
          if (contiguous) {
            std::memcpy(dst, src + iw0 * C, sizeof(float) * run);
            continue;
          }
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) {
              std::memset(dst + kw * C, 0, sizeof(float) * C);
            } else {
              std::memcpy(dst + kw * C, src + iw * C, sizeof(float) * C);
            }
          }
        }
      }
    }
  }
}

// dx[nb samples] += the transpose of im2col: every column entry adds back into
// the input cell it was copied from (padding entries are dropped).
void col2im_add(float* dx, const float* col, const Conv2DGeom& g, int64_t nb) {
  const int64_t C = g.C, run = g.KW * g.C, K = g.KH * run;
  const float* row = col;
  for (int64_t n = 0; n < nb; ++n) {
    float* img = dx + n * g.H * g.W * C;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow, row += K) {
        const int64_t iw0 = ow * g.SW - g.PL;
        for (int64_t kh = 0; kh < g.KH; ++kh) {
          const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          const float* src = row + kh * run;
          float* dst_row = img + ih * g.W * C;
          for (int64_t kw = 0; kw < g.KW; ++kw) {
            const int64_t iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            float* dst = dst_row + iw * C;
            const float* s = src + kw * C;
            for (int64_t c = 0; c < C; ++c) dst[c] += s[c];
          }
        }
      }
    }
  }
}

}  // namespace

void conv2d_forward(float* out, float* col, const float* in, const float* w, const float* b,
                    const Conv2DGeom& g, int64_t col_samples, Activation act, ThreadPool& pool) {
  if (conv2d_is_direct(g)) {
    conv2d_direct_forward(out, in, w, b, g, act, pool);
    return;
  }
  const int64_t K = g.KH * g.KW * g.C, P = g.OH * g.OW, image = g.H * g.W * g.C;
  const bool needs_col = conv2d_needs_col(g);
  for (int64_t n0 = 0; n0 < g.N; n0 += col_samples) {
    const int64_t nb = std::min(col_samples, g.N - n0), rows = nb * P;
    float* y = out + n0 * P * g.OC;
    const float* cols = in + n0 * image;
    if (needs_col) {
      pool.parallel_for(nb, 1, [&](int64_t lo, int64_t hi) { im2col(col + lo * P * K, in, g, n0 + lo, hi - lo); });
      cols = col;
    }
    sgemm(false, false, rows, g.OC, K, 1.0f, cols, w, 0.0f, y, &pool);  // y[rows,OC] = col @ w
    bias_activation(y, g.OC, b, rows, g.OC, act, pool);
  }
}

void conv2d_backward(float* dx, float* dw, float* db, float* dy, const float* y, const float* in,
                     const float* w, float* col, const Conv2DGeom& g, int64_t col_samples, Activation act,
                     ThreadPool& pool) {
  if (conv2d_is_direct(g)) {
    conv2d_direct_backward(dx, dw, db, dy, y, in, w, g, act, pool);
    return;
  }
  const int64_t K = g.KH * g.KW * g.C, P = g.OH * g.OW, image = g.H * g.W * g.C;
  const bool needs_col = conv2d_needs_col(g);
  if (act == Activation::kRelu) relu_mask(dy, y, g.N * P * g.OC, pool);  // dy becomes dz
  if (db) column_sums(db, dy, g.N * P, g.OC, pool);
  if (!dw && !dx) return;
  for (int64_t n0 = 0; n0 < g.N; n0 += col_samples) {
    const int64_t nb = std::min(col_samples, g.N - n0), rows = nb * P;
    const float* dyc = dy + n0 * P * g.OC;
    if (!needs_col) {
      if (dw) sgemm(true, false, K, g.OC, rows, 1.0f, in + n0 * image, dyc, 1.0f, dw, &pool);  // dw += x^T dz
      if (dx) sgemm(false, true, rows, K, g.OC, 1.0f, dyc, w, 0.0f, dx + n0 * image, &pool);  // dx = dz w^T
      continue;
    }
    if (dw) {  // the columns are read only by dw's product; dx's only writes into col
      pool.parallel_for(nb, 1, [&](int64_t lo, int64_t hi) { im2col(col + lo * P * K, in, g, n0 + lo, hi - lo); });
      sgemm(true, false, K, g.OC, rows, 1.0f, col, dyc, 1.0f, dw, &pool);  // dw[K,OC] += col^T dz
    }
    if (!dx) continue;
    sgemm(false, true, rows, K, g.OC, 1.0f, dyc, w, 0.0f, col, &pool);   // dcol[rows,K] = dz w^T
    float* dxc = dx + n0 * image;
    pool.parallel_for(nb, 1, [&](int64_t lo, int64_t hi) {
      std::memset(dxc + lo * image, 0, sizeof(float) * (hi - lo) * image);
      col2im_add(dxc + lo * image, col + lo * P * K, g, hi - lo);
    });
  }
}

}  // namespace blasnet
