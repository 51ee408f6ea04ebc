// Argument checks for the N-API layer. Every export reads its arguments through
// Args, which throws a JS TypeError (wrong kind) or RangeError (wrong size or
// value) naming the function and the argument, so no kernel ever sees memory
// that was not checked. Messages read like:
//   "denseForward: x has 100 elements, expected N*I = 108"
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace blasnet {

// Largest element count we accept: keeps every product exact in double and int64.
constexpr int64_t kMaxElements = int64_t{1} << 40;

// A typed array's kind, length and first element (byte offset applied), read with
// one N-API call: node-addon-api's TypedArray makes a call per accessor, which adds
// up to microseconds on a batch-1 inference path. valid is false for other values.
struct TypedArrayView {
  bool valid = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
};

inline TypedArrayView ViewOf(napi_env env, napi_value v) {
  TypedArrayView view;
  bool is_typed = false;
  view.valid = napi_is_typedarray(env, v, &is_typed) == napi_ok && is_typed &&
               napi_get_typedarray_info(env, v, &view.type, &view.length, &view.data, nullptr, nullptr) == napi_ok;
  return view;
}

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count) : info_(info), fn_(fn) {
    if (info.Length() != count) {
      throw Napi::TypeError::New(env(), Prefix() + "expected " + std::to_string(count) +
                                            " arguments, got " + std::to_string(info.Length()));
    }
  }

  Napi::Env env() const { return info_.Env(); }
  // Argument i as it came, for readers of more than one shape (optim's segment lists).
  napi_value Value(size_t i) const { return info_[i]; }

  [[noreturn]] void Fail(const std::string& msg, bool type_error = false) const {
    if (type_error) throw Napi::TypeError::New(env(), Prefix() + msg);
    throw Napi::RangeError::New(env(), Prefix() + msg);
  }

  // A finite number.
  double Number(size_t i, const char* name) const {
    if (!info_[i].IsNumber()) Fail(std::string(name) + " must be a number", true);
    const double v = info_[i].As<Napi::Number>().DoubleValue();
    if (!std::isfinite(v)) Fail(std::string(name) + " must be finite, got " + std::to_string(v));
    return v;
  }

  // An integer in [lo, hi].
  int64_t Int(size_t i, const char* name, int64_t lo, int64_t hi) const {
    const double v = Number(i, name);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
      Fail(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "], got " + Format(v));
    }
    return static_cast<int64_t>(v);
  }

  // A dimension: an integer >= 1.
  int64_t Dim(size_t i, const char* name) const { return Int(i, name, 1, kMaxElements); }

  bool Bool(size_t i, const char* name) const {
    if (!info_[i].IsBoolean()) Fail(std::string(name) + " must be a boolean", true);
    return info_[i].As<Napi::Boolean>().Value();
  }

  // The product of dimensions, rejecting overflow.
  int64_t Product(std::initializer_list<int64_t> dims) const {
    int64_t p = 1;
    for (int64_t d : dims) {
      if (d < 0 || (d > 0 && p > kMaxElements / d)) Fail("dimensions are too large");
      p *= d;
    }
    return p;
  }

  // The element count of a typed array argument (0 if it is not one; F32/I32 then
  // report the wrong kind), for arrays whose length defines the problem size.
  int64_t Length(size_t i) const {
    const TypedArrayView view = ViewOf(env(), info_[i]);
    return view.valid ? static_cast<int64_t>(view.length) : 0;
  }

  float* F32(size_t i, const char* name, int64_t expected, const char* expr) const {
    return Typed<float, napi_float32_array>(i, name, expected, expr, "Float32Array", false);
  }
  float* F32OrNull(size_t i, const char* name, int64_t expected, const char* expr) const {
    return Typed<float, napi_float32_array>(i, name, expected, expr, "Float32Array", true);
  }
  int32_t* I32(size_t i, const char* name, int64_t expected, const char* expr) const {
    return Typed<int32_t, napi_int32_array>(i, name, expected, expr, "Int32Array", false);
  }
  uint8_t* U8(size_t i, const char* name, int64_t expected, const char* expr) const {
    return Typed<uint8_t, napi_uint8_array>(i, name, expected, expr, "Uint8Array", false);
  }
  uint8_t* U8OrNull(size_t i, const char* name, int64_t expected, const char* expr) const {
    return Typed<uint8_t, napi_uint8_array>(i, name, expected, expr, "Uint8Array", true);
  }

  // Every label in [0, classes): an out-of-range index is reported, never read.
  void CheckIndices(const int32_t* idx, int64_t n, int64_t classes, const char* name) const {
    for (int64_t k = 0; k < n; ++k) {
      if (idx[k] < 0 || idx[k] >= classes) {
        Fail(std::string(name) + "[" + std::to_string(k) + "] = " + std::to_string(idx[k]) +
             " is outside [0, " + std::to_string(classes) + ")");
      }
    }
  }

 private:
  std::string Prefix() const { return std::string(fn_) + ": "; }

  static std::string Format(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  template <typename T, napi_typedarray_type kind>
  T* Typed(size_t i, const char* name, int64_t expected, const char* expr, const char* kind_name,
           bool nullable) const {
    const napi_value v = info_[i];
    if (nullable) {
      napi_valuetype type = napi_undefined;
      napi_typeof(env(), v, &type);
      if (type == napi_null || type == napi_undefined) return nullptr;
    }
    const TypedArrayView view = ViewOf(env(), v);
    if (!view.valid || view.type != kind) {
      Fail(std::string(name) + " must be a " + kind_name + (nullable ? " or null" : ""), true);
    }
    const int64_t length = static_cast<int64_t>(view.length);
    if (length != expected) {
      Fail(std::string(name) + " has " + std::to_string(length) + " elements, expected " + expr +
           " = " + std::to_string(expected));
    }
    return static_cast<T*>(view.data);
  }

  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace blasnet
