// Max and average pooling over NHWC input with TensorFlow's window rules: a
// window is clipped to the real cells of the input, so padding never takes part
// (every window of a 'valid' or 'same' geometry holds at least one real cell).
#include <algorithm>
#include <cstring>

#include "kernels.h"

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

// Calls f(window, out_offset, image_offset) for every output pixel; offsets are
// in floats, out_offset of the pixel's C outputs, image_offset of its sample.
template <typename F>
void for_each_window(const Pool2DGeom& g, F f) {
  for (int64_t n = 0; n < g.N; ++n) {
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        f(window_at(g, oh, ow), ((n * g.OH + oh) * g.OW + ow) * g.C, n * g.H * g.W * g.C);
      }
    }
  }
}

}  // namespace

void max_pool2d_forward(float* out, const float* in, const Pool2DGeom& g) {
  const int64_t C = g.C;
  for_each_window(g, [&](const Window& win, int64_t o, int64_t img) {
    float* y = out + o;
    std::memcpy(y, in + img + (win.h0 * g.W + win.w0) * C, sizeof(float) * C);
    for (int64_t ih = win.h0; ih < win.h1; ++ih) {
      for (int64_t iw = win.w0; iw < win.w1; ++iw) {
        const float* x = in + img + (ih * g.W + iw) * C;
        for (int64_t c = 0; c < C; ++c) y[c] = x[c] > y[c] ? x[c] : y[c];
      }
    }
  });
}

void max_pool2d_backward(float* dx, const float* dy, const float* in, const Pool2DGeom& g) {
  // Channels go in blocks so the running maxima live on the stack and the scan
  // over a window's cells runs along contiguous channels.
  constexpr int64_t kBlock = 64;
  const int64_t C = g.C;
  std::memset(dx, 0, sizeof(float) * g.N * g.H * g.W * C);
  for_each_window(g, [&](const Window& win, int64_t o, int64_t img) {
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
      // Strictly greater: the first maximal cell in row-major window order takes the gradient, as in TF.
      for (int64_t ih = win.h0; ih < win.h1; ++ih) {
        for (int64_t iw = win.w0; iw < win.w1; ++iw) {
          const int32_t rel = static_cast<int32_t>(((ih - win.h0) * g.W + (iw - win.w0)) * C);
          const float* x = first + rel;
          for (int64_t c = 0; c < cb; ++c) {
            const float v = x[c], b = best[c];
            const int32_t greater = -static_cast<int32_t>(v > b);  // all ones or zero: a branch-free select
            best[c] = v > b ? v : b;
            at[c] = (rel & greater) | (at[c] & ~greater);
          }
        }
      }
      float* d = dx + img + (win.h0 * g.W + win.w0) * C + c0;
      for (int64_t c = 0; c < cb; ++c) d[at[c] + c] += dy[o + c0 + c];
    }
  });
}

void avg_pool2d_forward(float* out, const float* in, const Pool2DGeom& g) {
  const int64_t C = g.C;
  for_each_window(g, [&](const Window& win, int64_t o, int64_t img) {
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

void avg_pool2d_backward(float* dx, const float* dy, const Pool2DGeom& g) {
  const int64_t C = g.C;
  std::memset(dx, 0, sizeof(float) * g.N * g.H * g.W * C);
  for_each_window(g, [&](const Window& win, int64_t o, int64_t img) {
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

}  // namespace blasnet
