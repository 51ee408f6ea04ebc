// Exports for the convolution and pooling kernels. The geometry crosses as one
// plain object, the JS mirror of Conv2DGeom:
//   {N, H, W, C, OC, KH, KW, SH, SW, DH, DW, OH, OW, padding}   (conv)
//   {N, H, W, C, KH, KW, SH, SW, OH, OW, padding}               (pool)
// or as an Int32Array of the same fields in that order, padding coded 0 'valid',
// 1 'same', 2 'causal' (lib/native.ts packConvGeometry/packPoolGeometry): reading
// an object's 14 fields through N-API costs microseconds, a batch-1 call's budget.
// padding is 'valid' | 'same' (| 'causal' for convolutions: all padding on the
// top/left, as Keras's Conv1D). The binding derives the top/left padding from
// it and checks that OH/OW are what TensorFlow computes for that padding.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// BLAS takes 32-bit sizes, so every GEMM dimension must fit; max pooling's
// backward pass also keeps offsets within one sample in 32 bits.
constexpr int64_t kMaxGemmDim = std::numeric_limits<int32_t>::max();

enum class Padding { kValid, kSame, kCausal };

const char* PaddingName(Padding p) {
  return p == Padding::kValid ? "'valid'" : p == Padding::kSame ? "'same'" : "'causal'";
}

// Reads the fields of a geometry object or packed Int32Array, failing with the
// argument's name. `fields` is the number of fields, padding last.
class GeomReader {
 public:
  GeomReader(const Args& a, const Napi::Value& v, size_t fields) : a_(a), fields_(fields) {
    const TypedArrayView view = ViewOf(a.env(), v);
    if (view.valid && view.type == napi_int32_array) {
      if (view.length != fields) {
        a.Fail("a packed geom must hold " + std::to_string(fields) + " fields, got " + std::to_string(view.length));
      }
      packed_ = static_cast<const int32_t*>(view.data);
    } else if (v.IsObject() && !view.valid) {
      obj_ = v.As<Napi::Object>();
    } else {
      a.Fail("geom must be an object {N, H, W, C, KH, KW, SH, SW, OH, OW, padding, ...} or its packed Int32Array",
             true);
    }
  }

  // A positive integer field, the index-th of a packed geometry.
  int64_t Dim(const char* key, size_t index) const {
    double d = 0;
    if (packed_) {
      d = packed_[index];
    } else {
      const Napi::Value v = obj_.Get(key);
      if (!v.IsNumber()) a_.Fail(std::string("geom.") + key + " must be a number", true);
      d = v.As<Napi::Number>().DoubleValue();
    }
    if (!(d >= 1 && d <= static_cast<double>(kMaxElements) && d == static_cast<double>(static_cast<int64_t>(d)))) {
      a_.Fail(std::string("geom.") + key + " must be a positive integer, got " + std::to_string(d));
    }
    return static_cast<int64_t>(d);
  }

  Padding Pad(bool allow_causal) const {
    if (packed_) {
      const int32_t code = packed_[fields_ - 1];
      if (code == 0) return Padding::kValid;
      if (code == 1) return Padding::kSame;
      if (code == 2 && allow_causal) return Padding::kCausal;
    } else {
      const Napi::Value v = obj_.Get("padding");
      const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
      if (s == "valid") return Padding::kValid;
      if (s == "same") return Padding::kSame;
      if (s == "causal" && allow_causal) return Padding::kCausal;
    }
    a_.Fail(std::string("geom.padding must be 'valid' (0) or 'same' (1)") + (allow_causal ? " or 'causal' (2)" : ""),
            true);
  }

 private:
  const Args& a_;
  const size_t fields_;
  const int32_t* packed_ = nullptr;
  Napi::Object obj_;
};

// TF's output size along one axis and the padding before it; checks the
// caller's output size against it. Names are e.g. ("H", "KH", "SH", "DH", "OH");
// d_name is null for pooling, which has no dilation.
int64_t LeadingPad(const Args& a, Padding p, int64_t in, int64_t k, int64_t s, int64_t d, int64_t out,
                   const char* in_name, const char* k_name, const char* s_name, const char* d_name,
                   const char* out_name) {
  const int64_t span = (k - 1) * d + 1;  // the dilated kernel's extent
  const std::string span_expr = d_name ? std::string("(") + k_name + "-1)*" + d_name + "+1" : k_name;
  int64_t expected = 0, pad_total = 0;
  std::string formula;
  if (p == Padding::kValid) {
    if (span > in) {
      a.Fail("the window spans " + span_expr + " = " + std::to_string(span) + " cells, more than the input's " +
             in_name + " = " + std::to_string(in) + " under 'valid' padding");
    }
    expected = (in - span) / s + 1;
    const std::string span_term = d_name ? "(" + span_expr + ")" : span_expr;
    formula = std::string("floor((") + in_name + " - " + span_term + ")/" + s_name + ") + 1";
  } else {
    expected = (in + s - 1) / s;
    formula = std::string("ceil(") + in_name + "/" + s_name + ")";
    pad_total = p == Padding::kCausal ? span - 1 : std::max<int64_t>((expected - 1) * s + span - in, 0);
  }
  if (out != expected) {
    a.Fail(std::string("geom.") + out_name + " = " + std::to_string(out) + " does not match " + PaddingName(p) +
           " padding: expected " + formula + " = " + std::to_string(expected));
  }
  // TF puts the odd extra row/column at the bottom/right; causal pads only before.
  return p == Padding::kCausal ? pad_total : pad_total / 2;
}

Conv2DGeom ReadConvGeom(const Args& a, const Napi::Value& v) {
  const GeomReader r(a, v, 14);
  Conv2DGeom g{};
  g.N = r.Dim("N", 0); g.H = r.Dim("H", 1); g.W = r.Dim("W", 2); g.C = r.Dim("C", 3); g.OC = r.Dim("OC", 4);
  g.KH = r.Dim("KH", 5); g.KW = r.Dim("KW", 6); g.SH = r.Dim("SH", 7); g.SW = r.Dim("SW", 8);
  g.DH = r.Dim("DH", 9); g.DW = r.Dim("DW", 10); g.OH = r.Dim("OH", 11); g.OW = r.Dim("OW", 12);
  const Padding p = r.Pad(true);
  a.Product({g.KH - 1, g.DH});  // rejects spans that overflow
  a.Product({g.KW - 1, g.DW});
  g.PT = LeadingPad(a, p, g.H, g.KH, g.SH, g.DH, g.OH, "H", "KH", "SH", "DH", "OH");
  g.PL = LeadingPad(a, p, g.W, g.KW, g.SW, g.DW, g.OW, "W", "KW", "SW", "DW", "OW");
  return g;
}

Pool2DGeom ReadPoolGeom(const Args& a, const Napi::Value& v) {
  const GeomReader r(a, v, 11);
  Pool2DGeom g{};
  g.N = r.Dim("N", 0); g.H = r.Dim("H", 1); g.W = r.Dim("W", 2); g.C = r.Dim("C", 3);
  g.KH = r.Dim("KH", 4); g.KW = r.Dim("KW", 5); g.SH = r.Dim("SH", 6); g.SW = r.Dim("SW", 7);
  g.OH = r.Dim("OH", 8); g.OW = r.Dim("OW", 9);
  const Padding p = r.Pad(false);
  const int64_t sample = a.Product({g.H, g.W, g.C});
  if (sample > kMaxGemmDim) {
    a.Fail("one sample's H*W*C = " + std::to_string(sample) + " must be at most " + std::to_string(kMaxGemmDim));
  }
  g.PT = LeadingPad(a, p, g.H, g.KH, g.SH, 1, g.OH, "H", "KH", "SH", nullptr, "OH");
  g.PL = LeadingPad(a, p, g.W, g.KW, g.SW, 1, g.OW, "W", "KW", "SW", nullptr, "OW");
  return g;
}

// colSamples in [1, N], GEMM sizes within BLAS's range, and the col scratch
// (null allowed only when the convolution reads its input directly).
float* ReadCol(const Args& a, size_t col_index, size_t samples_index, const Conv2DGeom& g, int64_t* col_samples) {
  *col_samples = a.Int(samples_index, "colSamples", 1, g.N);
  const int64_t rows = a.Product({*col_samples, g.OH, g.OW}), K = a.Product({g.KH, g.KW, g.C});
  if (rows > kMaxGemmDim || K > kMaxGemmDim || g.OC > kMaxGemmDim) {
    a.Fail("colSamples*OH*OW = " + std::to_string(rows) + ", KH*KW*C = " + std::to_string(K) + " and OC = " +
           std::to_string(g.OC) + " must each be at most " + std::to_string(kMaxGemmDim) + " (BLAS sizes)");
  }
  float* col = a.F32OrNull(col_index, "col", a.Product({rows, K}), "colSamples*OH*OW*KH*KW*C");
  if (!col && conv2d_needs_col(g)) a.Fail("col is required unless the convolution is 1x1 with stride 1 and no padding", true);
  return col;
}

// The activation a kernel applies in its epilogue: linear (0) or relu (1).
Activation ReadFusedActivation(const Args& a, size_t i) {
  return static_cast<Activation>(a.Int(i, "activation (0 linear, 1 relu)", 0, 1));
}

// [sync] conv2dNeedsCol(geom) -> whether conv2dForward/Backward use col scratch for this
// geometry (false for the direct kernels of few-channel inputs and for 1x1 stride-1 convolutions).
Napi::Value Conv2DNeedsCol(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dNeedsCol", 1);
  return Napi::Boolean::New(info.Env(), conv2d_needs_col(ReadConvGeom(a, info[0])));
}

// [sync] conv2dForward(out[N*OH*OW*OC], col[colSamples*OH*OW*KH*KW*C]|null, x[N*H*W*C],
//   w[KH*KW*C*OC], b[OC]|null, geom, colSamples, activation). NHWC; w is Keras's [KH,KW,C,OC].
// out = activation(conv + b), activation 0 (linear) or 1 (relu). col is scratch, null when
// conv2dNeedsCol(geom) is false.
Napi::Value Conv2DForward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dForward", 8);
  const Conv2DGeom g = ReadConvGeom(a, info[5]);
  int64_t col_samples = 0;
  float* col = ReadCol(a, 1, 6, g, &col_samples);
  float* out = a.F32(0, "out", a.Product({g.N, g.OH, g.OW, g.OC}), "N*OH*OW*OC");
  const float* x = a.F32(2, "x", a.Product({g.N, g.H, g.W, g.C}), "N*H*W*C");
  const float* w = a.F32(3, "w", a.Product({g.KH, g.KW, g.C, g.OC}), "KH*KW*C*OC");
  const float* b = a.F32OrNull(4, "b", g.OC, "OC");
  conv2d_forward(out, col, x, w, b, g, col_samples, ReadFusedActivation(a, 7), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] conv2dBackward(dx[N*H*W*C]|null, dw[KH*KW*C*OC]|null, db[OC]|null, dy[N*OH*OW*OC],
//   x[N*H*W*C], w[KH*KW*C*OC], y[N*OH*OW*OC]|null, col|null, geom, colSamples, activation).
// dy is the gradient at the forward output y (required with relu, which masks dy in place).
// dw and db accumulate; dx is overwritten; a null gradient is not computed; col is scratch as
// in conv2dForward (still required for dx alone).
Napi::Value Conv2DBackward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackward", 11);
  const Conv2DGeom g = ReadConvGeom(a, info[8]);
  int64_t col_samples = 0;
  float* col = ReadCol(a, 7, 9, g, &col_samples);
  const int64_t in_size = a.Product({g.N, g.H, g.W, g.C}), w_size = a.Product({g.KH, g.KW, g.C, g.OC});
  const int64_t out_size = a.Product({g.N, g.OH, g.OW, g.OC});
  float* dx = a.F32OrNull(0, "dx", in_size, "N*H*W*C");
  float* dw = a.F32OrNull(1, "dw", w_size, "KH*KW*C*OC");
  float* db = a.F32OrNull(2, "db", g.OC, "OC");
  float* dy = a.F32(3, "dy", out_size, "N*OH*OW*OC");
  const float* x = a.F32(4, "x", in_size, "N*H*W*C");
  const float* w = a.F32(5, "w", w_size, "KH*KW*C*OC");
  const float* y = a.F32OrNull(6, "y", out_size, "N*OH*OW*OC");
  const Activation act = ReadFusedActivation(a, 10);
  if (act == Activation::kRelu && !y) a.Fail("y (the forward output) is required with relu", true);
  conv2d_backward(dx, dw, db, dy, y, x, w, col, g, col_samples, act, Pool(info.Env()));
  return info.Env().Undefined();
}

// The pooling geometry of a fused conv + max pool, checked against the convolution's.
Pool2DGeom ReadFusedPoolGeom(const Args& a, const Napi::Value& v, const Conv2DGeom& g) {
  const Pool2DGeom p = ReadPoolGeom(a, v);
  if (!conv2d_max_pool_fusable(g, p)) {
    a.Fail("this convolution and pooling do not fuse (see conv2dMaxPoolFusable): the pooling input must be the "
           "convolution output (N, OH, OW, OC), with KH*KW < 255 cells per window and strides equal to the window, "
           "all windows inside it, and the convolution must have at most " +
           std::to_string(kDirectConvMaxChannels) + " input channels");
  }
  return p;
}

// [sync] conv2dMaxPoolFusable(convGeom, poolGeom) -> whether conv2dMaxPoolForward/Backward accept them.
Napi::Value Conv2DMaxPoolFusable(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dMaxPoolFusable", 2);
  return Napi::Boolean::New(info.Env(), conv2d_max_pool_fusable(ReadConvGeom(a, info[0]), ReadPoolGeom(a, info[1])));
}

// [sync] conv2dMaxPoolForward(out[N*PH*PW*OC], argmax[N*PH*PW*OC] Uint8Array|null, x[N*H*W*C],
//   w[KH*KW*C*OC], b[OC]|null, convGeom, poolGeom, activation): out = maxPool(activation(conv + b))
// without storing the conv output (PH, PW = poolGeom's OH, OW). argmax (null for inference)
// records each max's cell in its window for conv2dMaxPoolBackward.
Napi::Value Conv2DMaxPoolForward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dMaxPoolForward", 8);
  const Conv2DGeom g = ReadConvGeom(a, info[5]);
  const Pool2DGeom p = ReadFusedPoolGeom(a, info[6], g);
  const int64_t pooled = a.Product({g.N, p.OH, p.OW, g.OC});
  float* out = a.F32(0, "out", pooled, "N*PH*PW*OC");
  uint8_t* argmax = a.U8OrNull(1, "argmax", pooled, "N*PH*PW*OC");
  const float* x = a.F32(2, "x", a.Product({g.N, g.H, g.W, g.C}), "N*H*W*C");
  const float* w = a.F32(3, "w", a.Product({g.KH, g.KW, g.C, g.OC}), "KH*KW*C*OC");
  const float* b = a.F32OrNull(4, "b", g.OC, "OC");
  conv2d_max_pool_forward(out, argmax, x, w, b, g, p, ReadFusedActivation(a, 7), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] conv2dMaxPoolBackward(dx[N*H*W*C]|null, dw[KH*KW*C*OC]|null, db[OC]|null, dout[N*PH*PW*OC],
//   argmax[N*PH*PW*OC] Uint8Array, x[N*H*W*C], w[KH*KW*C*OC], convGeom, poolGeom): dw and db
// accumulate, dx is overwritten; a null gradient is not computed. argmax comes from the matching conv2dMaxPoolForward; the
// kernel only compares it with cell numbers, so any other value routes no gradient.
Napi::Value Conv2DMaxPoolBackward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dMaxPoolBackward", 9);
  const Conv2DGeom g = ReadConvGeom(a, info[7]);
  const Pool2DGeom p = ReadFusedPoolGeom(a, info[8], g);
  const int64_t pooled = a.Product({g.N, p.OH, p.OW, g.OC});
  const int64_t in_size = a.Product({g.N, g.H, g.W, g.C}), w_size = a.Product({g.KH, g.KW, g.C, g.OC});
  float* dx = a.F32OrNull(0, "dx", in_size, "N*H*W*C");
  float* dw = a.F32OrNull(1, "dw", w_size, "KH*KW*C*OC");
  float* db = a.F32OrNull(2, "db", g.OC, "OC");
  const float* dout = a.F32(3, "dout", pooled, "N*PH*PW*OC");
  const uint8_t* argmax = a.U8(4, "argmax", pooled, "N*PH*PW*OC");
  const float* x = a.F32(5, "x", in_size, "N*H*W*C");
  const float* w = a.F32(6, "w", w_size, "KH*KW*C*OC");
  conv2d_max_pool_backward(dx, dw, db, dout, argmax, x, w, g, p, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] maxPool2dForward(out[N*OH*OW*C], x[N*H*W*C], geom) / avgPool2dForward(same)
template <void (*kernel)(float*, const float*, const Pool2DGeom&, ThreadPool&)>
Napi::Value PoolForward(const Napi::CallbackInfo& info, const char* fn) {
  Args a(info, fn, 3);
  const Pool2DGeom g = ReadPoolGeom(a, info[2]);
  float* out = a.F32(0, "out", a.Product({g.N, g.OH, g.OW, g.C}), "N*OH*OW*C");
  const float* x = a.F32(1, "x", a.Product({g.N, g.H, g.W, g.C}), "N*H*W*C");
  kernel(out, x, g, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] maxPool2dBackward(dx[N*H*W*C], dy[N*OH*OW*C], x[N*H*W*C], geom); dx is overwritten.
// The window maxima are found again from x, the forward input.
Napi::Value MaxPool2DBackward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool2dBackward", 4);
  const Pool2DGeom g = ReadPoolGeom(a, info[3]);
  const int64_t in_size = a.Product({g.N, g.H, g.W, g.C});
  float* dx = a.F32(0, "dx", in_size, "N*H*W*C");
  const float* dy = a.F32(1, "dy", a.Product({g.N, g.OH, g.OW, g.C}), "N*OH*OW*C");
  const float* x = a.F32(2, "x", in_size, "N*H*W*C");
  max_pool2d_backward(dx, dy, x, g, Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] avgPool2dBackward(dx[N*H*W*C], dy[N*OH*OW*C], geom); dx is overwritten.
Napi::Value AvgPool2DBackward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool2dBackward", 3);
  const Pool2DGeom g = ReadPoolGeom(a, info[2]);
  float* dx = a.F32(0, "dx", a.Product({g.N, g.H, g.W, g.C}), "N*H*W*C");
  const float* dy = a.F32(1, "dy", a.Product({g.N, g.OH, g.OW, g.C}), "N*OH*OW*C");
  avg_pool2d_backward(dx, dy, g, Pool(info.Env()));
  return info.Env().Undefined();
}

}  // namespace

void RegisterConvOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  add("conv2dNeedsCol", Conv2DNeedsCol);
  add("conv2dForward", Conv2DForward);
  add("conv2dBackward", Conv2DBackward);
  add("conv2dMaxPoolFusable", Conv2DMaxPoolFusable);
  add("conv2dMaxPoolForward", Conv2DMaxPoolForward);
  add("conv2dMaxPoolBackward", Conv2DMaxPoolBackward);
  add("maxPool2dForward", [](const Napi::CallbackInfo& i) {
    return PoolForward<max_pool2d_forward>(i, "maxPool2dForward"); });
  add("maxPool2dBackward", MaxPool2DBackward);
  add("avgPool2dForward", [](const Napi::CallbackInfo& i) {
    return PoolForward<avg_pool2d_forward>(i, "avgPool2dForward"); });
  add("avgPool2dBackward", AvgPool2DBackward);
}

}  // namespace blasnet
