// Max and average pooling over NHWC input with TensorFlow's window rules: a
// window is clipped to the real cells of the input, so padding never takes part
// (every window of a 'valid' or 'same' geometry holds at least one real cell).
// A window holding a NaN has a NaN max, whose gradient goes to the last NaN
// (max_takes in vec_math.h), forward and backward alike.
// Samples are independent, so every kernel splits the batch across the pool;
// 2x2 windows with stride 2 (the common case) have loops of their own.
#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "simd.h"
#include "vec_math.h"

namespace blasnet {
namespace {

// The real cells [h0,h1) x [w0,w1) of the window at output pixel (oh, ow).
struct Window {
  int64_t h0, h1, w0, w1;
  int64_t count() const { return (h1 - h0) * (w1 - w0); }
};

Window window_at(const Pool2DGeom& g, int64_t oh, int64_t ow) {
  const int64_t h = oh * g.SH - g.PT, w = ow * g.SW - g.PL;
  return {std::max<int64_t>(h, 0), std::min(h + g.KH, g.H), std::max<int64_t>(w, 0), std::min(w + g.KW, g.W)};
}

// Calls f(window, out_offset, image_offset) for every output pixel of samples
// [n0, n1); offsets are in floats, out_offset of the pixel's C outputs,
// image_offset of its sample. Always inlined, and so must f be, for a
// BLASNET_MULTIVERSION caller to get its loops compiled for each instruction set.
template <typename F>
BLASNET_INLINE void for_each_window(const Pool2DGeom& g, int64_t n0, int64_t n1, F f) {
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        f(window_at(g, oh, ow), ((n * g.OH + oh) * g.OW + ow) * g.C, n * g.H * g.W * g.C);
      }
    }
  }
}

// 2x2 windows at stride 2 that lie inside the input: each cell is in one window.
bool tiles_2x2(const Pool2DGeom& g) {
  return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PT == 0 && g.PL == 0 && 2 * g.OH <= g.H &&
         2 * g.OW <= g.W;
}

// Max over the cells a, b (same row), c, d (next row) in that order, as the general loop.
BLASNET_MULTIVERSION
void max_pool_2x2(float* out, const float* in, const Pool2DGeom& g, int64_t n0, int64_t n1) {
  const int64_t C = g.C, row = g.W * C;
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const float* a = in + ((n * g.H + 2 * oh) * g.W + 2 * ow) * C;
        const float *b = a + C, *c = a + row, *d = c + C;
        float* y = out + ((n * g.OH + oh) * g.OW + ow) * C;
        for (int64_t k = 0; k < C; ++k) {
          float m = a[k];
          m = max_takes(b[k], m) ? b[k] : m;
          m = max_takes(c[k], m) ? c[k] : m;
          y[k] = max_takes(d[k], m) ? d[k] : m;
        }
      }
    }
  }
}

// One window's cells a, b (same row), c, d (next row) over C channels: gy goes
// to the first maximal cell (or the last NaN), 0 to the others (a later cell takes
// over only as max_takes says). Written as selects on loaded values, restrict-qualified
// (nine pointers are too many for the vectoriser's overlap checks), so that every
// instruction-set version vectorises.
inline void route_2x2(float* __restrict da, float* __restrict db, float* __restrict dc, float* __restrict dd,
                      const float* __restrict a, const float* __restrict b, const float* __restrict c,
                      const float* __restrict d, const float* __restrict gy, int64_t C) {
  for (int64_t k = 0; k < C; ++k) {
    const float va = a[k], vb = b[k], vc = c[k], vd = d[k], v = gy[k], zero = 0.0f;
    const bool b_wins = max_takes(vb, va);
    const float ab = b_wins ? vb : va;
    const bool c_wins = max_takes(vc, ab);
    const bool d_wins = max_takes(vd, c_wins ? vc : ab);
    dd[k] = d_wins ? v : zero;
    const float left_for_c = d_wins ? zero : v;
    dc[k] = c_wins ? left_for_c : zero;
    const float left_for_ab = c_wins ? zero : left_for_c;
    db[k] = b_wins ? left_for_ab : zero;
    da[k] = b_wins ? zero : left_for_ab;
  }
}

// Writes every cell of each window: dy at the first maximal cell, 0 at the others;
// cells beyond the last window (odd H or W) are cleared.
BLASNET_MULTIVERSION
void max_pool_2x2_backward(float* dx, const float* dy, const float* in, const Pool2DGeom& g, int64_t n0, int64_t n1) {
  const int64_t C = g.C, row = g.W * C;
  for (int64_t n = n0; n < n1; ++n) {
    float* dxn = dx + n * g.H * row;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const int64_t at = (2 * oh * g.W + 2 * ow) * C;
        const float* a = in + n * g.H * row + at;
        float* da = dxn + at;
        route_2x2(da, da + C, da + row, da + row + C, a, a + C, a + row, a + row + C,
                  dy + ((n * g.OH + oh) * g.OW + ow) * C, C);
      }
      if (2 * g.OW < g.W) {
        for (int64_t r = 2 * oh; r < 2 * oh + 2; ++r) {
          std::memset(dxn + (r * g.W + 2 * g.OW) * C, 0, sizeof(float) * (g.W - 2 * g.OW) * C);
        }
      }
    }
    if (2 * g.OH < g.H) std::memset(dxn + 2 * g.OH * row, 0, sizeof(float) * (g.H - 2 * g.OH) * row);
  }
}

BLASNET_MULTIVERSION
void max_pool_range(float* out, const float* in, const Pool2DGeom& g, int64_t n0, int64_t n1) {
  const int64_t C = g.C;
  for_each_window(g, n0, n1, [&](const Window& win, int64_t o, int64_t img) BLASNET_INLINE_LAMBDA {
    float* y = out + o;
    std::memcpy(y, in + img + (win.h0 * g.W + win.w0) * C, sizeof(float) * C);
    for (int64_t ih = win.h0; ih < win.h1; ++ih) {
      for (int64_t iw = win.w0; iw < win.w1; ++iw) {
        const float* x = in + img + (ih * g.W + iw) * C;
        for (int64_t c = 0; c < C; ++c) y[c] = max_takes(x[c], y[c]) ? x[c] : y[c];
      }
    }
  });
}

BLASNET_MULTIVERSION
void max_pool_backward_range(float* dx, const float* dy, const float* in, const Pool2DGeom& g, int64_t n0,
                             int64_t n1) {
  // Channels go in blocks so the running maxima live on the stack and the scan
  // over a window's cells runs along contiguous channels.
  constexpr int64_t kBlock = 64;
  const int64_t C = g.C, image = g.H * g.W * C;
  std::memset(dx + n0 * image, 0, sizeof(float) * (n1 - n0) * image);
  for_each_window(g, n0, n1, [&](const Window& win, int64_t o, int64_t img) BLASNET_INLINE_LAMBDA {
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int64_t cb = std::min(kBlock, C - c0);
      float best[kBlock];
      // Offset of the best cell so far from the window's first cell; 32 bits keep the
      // compare-and-select loop in one vector width (the binding bounds H*W*C below 2^31).
      int32_t at[kBlock];
      const float* first = in + img + (win.h0 * g.W + win.w0) * C + c0;
      for (int64_t c = 0; c < cb; ++c) {
        best[c] = first[c];
        at[c] = 0;
      }
      // The first maximal cell in row-major window order takes the gradient, as in TF (or the last NaN).
      for (int64_t ih = win.h0; ih < win.h1; ++ih) {
        for (int64_t iw = win.w0; iw < win.w1; ++iw) {
          const int32_t rel = static_cast<int32_t>(((ih - win.h0) * g.W + (iw - win.w0)) * C);
          const float* x = first + rel;
          for (int64_t c = 0; c < cb; ++c) {
            const float v = x[c], b = best[c];
            const bool takes = max_takes(v, b);
            const int32_t greater = -static_cast<int32_t>(takes);  // all ones or zero: a branch-free select
            best[c] = takes ? v : b;
            at[c] = (rel & greater) | (at[c] & ~greater);
          }
        }
      }
      float* d = dx + img + (win.h0 * g.W + win.w0) * C + c0;
      for (int64_t c = 0; c < cb; ++c) d[at[c] + c] += dy[o + c0 + c];
    }
  });
}

void avg_pool_range(float* out, const float* in, const Pool2DGeom& g, int64_t n0, int64_t n1) {
  const int64_t C = g.C;
  for_each_window(g, n0, n1, [&](const Window& win, int64_t o, int64_t img) {
    float* y = out + o;
    std::memset(y, 0, sizeof(float) * C);
    for (int64_t ih = win.h0; ih < win.h1; ++ih) {
      for (int64_t iw = win.w0; iw < win.w1; ++iw) {
        const float* x = in + img + (ih * g.W + iw) * C;
        for (int64_t c = 0; c < C; ++c) y[c] += x[c];
      }
    }
    const float count = static_cast<float>(win.count());
    for (int64_t c = 0; c < C; ++c) y[c] /= count;
  });
}

void avg_pool_backward_range(float* dx, const float* dy, const Pool2DGeom& g, int64_t n0, int64_t n1) {
  const int64_t C = g.C, image = g.H * g.W * C;
  std::memset(dx + n0 * image, 0, sizeof(float) * (n1 - n0) * image);
  for_each_window(g, n0, n1, [&](const Window& win, int64_t o, int64_t img) {
    // TF's AvgPoolGrad scales by 1/count too (rather than dividing each value).
    const float scale = 1.0f / static_cast<float>(win.count());
    const float* gy = dy + o;
    for (int64_t ih = win.h0; ih < win.h1; ++ih) {
      for (int64_t iw = win.w0; iw < win.w1; ++iw) {
        float* d = dx + img + (ih * g.W + iw) * C;
        for (int64_t c = 0; c < C; ++c) d[c] += gy[c] * scale;
      }
    }
  });
}

}  // namespace

void max_pool2d_forward(float* out, const float* in, const Pool2DGeom& g, ThreadPool& pool) {
  const bool two_by_two = tiles_2x2(g);
  pool.parallel_for(g.N, 1, [&](int64_t lo, int64_t hi) {
    if (two_by_two) max_pool_2x2(out, in, g, lo, hi); else max_pool_range(out, in, g, lo, hi);
  });
}

void max_pool2d_backward(float* dx, const float* dy, const float* in, const Pool2DGeom& g, ThreadPool& pool) {
  const bool two_by_two = tiles_2x2(g);
  pool.parallel_for(g.N, 1, [&](int64_t lo, int64_t hi) {
    if (two_by_two) max_pool_2x2_backward(dx, dy, in, g, lo, hi); else max_pool_backward_range(dx, dy, in, g, lo, hi);
  });
}

void avg_pool2d_forward(float* out, const float* in, const Pool2DGeom& g, ThreadPool& pool) {
  pool.parallel_for(g.N, 1, [&](int64_t lo, int64_t hi) { avg_pool_range(out, in, g, lo, hi); });
}

void avg_pool2d_backward(float* dx, const float* dy, const Pool2DGeom& g, ThreadPool& pool) {
  pool.parallel_for(g.N, 1, [&](int64_t lo, int64_t hi) { avg_pool_backward_range(dx, dy, g, lo, hi); });
}

}  // namespace blasnet
