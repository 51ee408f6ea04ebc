// Exports for the optimizer kernels (optim.cc). Each array argument is either one
// Float32Array (every weight in one buffer) or a list of Float32Array segments, one
// per weight array (a layer's kernel, its bias, ...). With lists, every array
// argument of the call is a list (or null where null is allowed) of the same
// count, and segment i has the same length in each. Either way one kernel call
// updates everything, split across the pool by element count.
#include <napi.h>

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "../kernels/kernels.h"
#include "addon_data.h"
#include "check.h"
#include "ops.h"

namespace blasnet {
namespace {

// Far more than any model has weight arrays; bounds what a call allocates.
constexpr uint32_t kMaxSegments = uint32_t{1} << 20;

// An array argument: its position, its name in messages, whether it may be null,
// and the member of the kernel's segment struct it fills. The first is w, which
// says whether the call passes lists.
template <typename Segment>
struct Slot {
  size_t index;
  const char* name;
  bool nullable;
  float* Segment::*member;
};

// The segments of one call, read and checked. A flat call's single segment lives
// inline; lists take one reserved vector of segments and one of element handles.
//
// Every list element is fetched before any typed array's memory is looked up: a
// fetch can run JavaScript (an index getter) that detaches or shrinks an array,
// and once the fetches are done no JavaScript runs until the kernel returns.
template <typename Segment, size_t K>
class SegmentReader {
 public:
  SegmentReader(const Args& a, const Slot<Segment> (&slots)[K]) : a_(a), slots_(slots) {
    if (IsArray(a.Value(slots[0].index))) ReadLists(); else ReadFlat();
  }

  const Segment* data() const { return list_ ? segments_.data() : &one_; }
  int64_t count() const { return list_ ? static_cast<int64_t>(segments_.size()) : 1; }
  // Whether argument k was given (not null).
  bool has(size_t k) const { return present_[k]; }

 private:
  napi_env env() const { return a_.env(); }

  bool IsArray(napi_value v) const {
    bool is_array = false;
    return napi_is_array(env(), v, &is_array) == napi_ok && is_array;
  }
  bool IsNullish(napi_value v) const {
    napi_valuetype type = napi_undefined;
    napi_typeof(env(), v, &type);
    return type == napi_null || type == napi_undefined;
  }
  // Argument k's name in messages; with a segment index i >= 0, "name[i]".
  std::string Name(size_t k, int64_t i = -1) const {
    return i < 0 ? std::string(slots_[k].name) : std::string(slots_[k].name) + "[" + std::to_string(i) + "]";
  }

  // Arrays of one segment must not share memory: the slice loops take them as restrict pointers.
  void CheckDisjoint(const TypedArrayView (&views)[K], int64_t i) const {
    for (size_t j = 0; j < K; ++j) {
      for (size_t k = j + 1; k < K; ++k) {
        if (!present_[j] || !present_[k] || views[j].length == 0 || views[k].length == 0) continue;
        const auto a0 = reinterpret_cast<uintptr_t>(views[j].data), b0 = reinterpret_cast<uintptr_t>(views[k].data);
        if (a0 < b0 + views[k].length * sizeof(float) && b0 < a0 + views[j].length * sizeof(float)) {
          a_.Fail(Name(k, i) + " shares memory with " + Name(j, i) + "; each array needs its own");
        }
      }
    }
  }

  // Argument k's Float32Array (segment i, or the flat array when i < 0), of w's length when k > 0.
  // Messages are built only on failure: this runs for every array of every segment.
  TypedArrayView View(size_t k, int64_t i, napi_value v, size_t length) const {
    const TypedArrayView view = ViewOf(env(), v);
    if (!view.valid || view.type != napi_float32_array) {
      a_.Fail(Name(k, i) + " must be " +
                  (i >= 0 ? "a Float32Array"
                   : slots_[k].nullable ? "a Float32Array, null or a list of Float32Array segments"
                                        : "a Float32Array or a list of Float32Array segments"),
              true);
    }
    if (k > 0 && view.length != length) {
      a_.Fail(Name(k, i) + " has " + std::to_string(view.length) + " elements, expected " + Name(0, i) +
              ".length = " + std::to_string(length));
    }
    return view;
  }

  void ReadFlat() {
    TypedArrayView views[K];
    for (size_t k = 0; k < K; ++k) {
      const Slot<Segment>& slot = slots_[k];
      const napi_value v = a_.Value(slot.index);
      if (slot.nullable && IsNullish(v)) continue;
      if (IsArray(v)) {
        a_.Fail(Name(k) + " is a list of segments but " + Name(0) +
                    " is not: pass every array as a Float32Array, or every one as a list",
                true);
      }
      views[k] = View(k, -1, v, views[0].length);
      present_[k] = true;
      one_.*slot.member = static_cast<float*>(views[k].data);
    }
    CheckDisjoint(views, -1);
    one_.offset = 0;
    one_.length = static_cast<int64_t>(views[0].length);
  }

  void ReadLists() {
    napi_value lists[K] = {};
    uint32_t count = 0;
    for (size_t k = 0; k < K; ++k) {
      const Slot<Segment>& slot = slots_[k];
      const napi_value v = a_.Value(slot.index);
      if (slot.nullable && IsNullish(v)) continue;
      if (!IsArray(v)) {
        a_.Fail(Name(k) + " must be a list of Float32Array segments" + (slot.nullable ? " or null" : "") +
                    ", as " + Name(0) + " is",
                true);
      }
      uint32_t length = 0;
      napi_get_array_length(env(), v, &length);
      if (k == 0 && length > kMaxSegments) {
        a_.Fail(Name(0) + " has " + std::to_string(length) + " segments, at most " + std::to_string(kMaxSegments));
      }
      if (k == 0) count = length;
      if (length != count) {
        a_.Fail(Name(k) + " has " + std::to_string(length) + " segments, expected " + std::to_string(count) +
                " as " + Name(0) + " has");
      }
      lists[k] = v;
      present_[k] = true;
    }
    list_ = true;
    std::vector<napi_value> handles;
    try {
      handles.reserve(static_cast<size_t>(count) * K);
      segments_.reserve(count);
    } catch (const std::bad_alloc&) {
      a_.Fail("not enough memory to read " + std::to_string(count) + " segments");
    }
    // First every fetch (JavaScript may run), then every view (none does).
    for (uint32_t i = 0; i < count; ++i) {
      for (size_t k = 0; k < K; ++k) {
        napi_value element = nullptr;
        if (lists[k] && napi_get_element(env(), lists[k], i, &element) != napi_ok) {
          throw Napi::Error::New(env());  // carries the exception a getter threw
        }
        handles.push_back(element);
      }
    }
    int64_t offset = 0;
    for (uint32_t i = 0; i < count; ++i) {
      TypedArrayView views[K];
      Segment segment{};
      for (size_t k = 0; k < K; ++k) {
        if (!lists[k]) continue;
        views[k] = View(k, i, handles[i * K + k], views[0].length);
        segment.*slots_[k].member = static_cast<float*>(views[k].data);
      }
      CheckDisjoint(views, i);
      segment.offset = offset;
      segment.length = static_cast<int64_t>(views[0].length);
      if (segment.length > kMaxElements - offset) a_.Fail("the segments hold more than 2^40 elements");
      offset += segment.length;
      segments_.push_back(segment);
    }
  }

  const Args& a_;
  const Slot<Segment> (&slots_)[K];
  bool list_ = false;
  bool present_[K] = {};
  Segment one_{};
  std::vector<Segment> segments_;
};

// [sync] sgdUpdate(w, velocity|null, g, lr, momentum, nesterov, weightDecay, consumeGrad): the array
// arguments are Float32Arrays of w's length, or lists of segments (see the top of this file).
// With consumeGrad, g is zeroed as it is read.
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "sgdUpdate", 8);
  static constexpr Slot<SgdSegment> kSlots[] = {
      {0, "w", false, &SgdSegment::w}, {1, "velocity", true, &SgdSegment::velocity}, {2, "g", false, &SgdSegment::g}};
  const SegmentReader<SgdSegment, 3> s(a, kSlots);
  const float momentum = static_cast<float>(a.Number(4, "momentum"));
  if (momentum > 0 && !s.has(1)) a.Fail("velocity is required when momentum > 0");
  sgd_update(s.data(), s.count(), static_cast<float>(a.Number(3, "lr")), momentum, a.Bool(5, "nesterov"),
             static_cast<float>(a.Number(6, "weightDecay")), a.Bool(7, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] adamUpdate(w, m, v, g, lr, beta1, beta2, epsilon, step, weightDecay, consumeGrad): arrays
// as sgdUpdate's; step >= 1.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "adamUpdate", 11);
  static constexpr Slot<AdamSegment> kSlots[] = {{0, "w", false, &AdamSegment::w},
                                                 {1, "m", false, &AdamSegment::m},
                                                 {2, "v", false, &AdamSegment::v},
                                                 {3, "g", false, &AdamSegment::g}};
  const SegmentReader<AdamSegment, 4> s(a, kSlots);
  adam_update(s.data(), s.count(), static_cast<float>(a.Number(4, "lr")), static_cast<float>(a.Number(5, "beta1")),
              static_cast<float>(a.Number(6, "beta2")), static_cast<float>(a.Number(7, "epsilon")),
              a.Int(8, "step", 1, kMaxElements), static_cast<float>(a.Number(9, "weightDecay")),
              a.Bool(10, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

// [sync] rmspropUpdate(w, meanSquare, momentumBuffer|null, meanGrad|null, g, lr, rho, momentum, epsilon,
// weightDecay, consumeGrad): arrays as sgdUpdate's; a meanGrad makes it centered.
Napi::Value RmspropUpdate(const Napi::CallbackInfo& info) {
  Args a(info, "rmspropUpdate", 11);
  static constexpr Slot<RmspropSegment> kSlots[] = {{0, "w", false, &RmspropSegment::w},
                                                    {1, "meanSquare", false, &RmspropSegment::mean_square},
                                                    {2, "momentumBuffer", true, &RmspropSegment::momentum},
                                                    {3, "meanGrad", true, &RmspropSegment::mean_grad},
                                                    {4, "g", false, &RmspropSegment::g}};
  const SegmentReader<RmspropSegment, 5> s(a, kSlots);
  const float momentum = static_cast<float>(a.Number(7, "momentum"));
  if (momentum > 0 && !s.has(2)) a.Fail("momentumBuffer is required when momentum > 0");
  rmsprop_update(s.data(), s.count(), static_cast<float>(a.Number(5, "lr")), static_cast<float>(a.Number(6, "rho")),
                 momentum, static_cast<float>(a.Number(8, "epsilon")), static_cast<float>(a.Number(9, "weightDecay")),
                 a.Bool(10, "consumeGrad"), Pool(info.Env()));
  return info.Env().Undefined();
}

}  // namespace

void RegisterOptimOps(Napi::Env env, Napi::Object exports) {
  auto add = [&](const char* name, Napi::Function::Callback fn) { Export(env, exports, name, fn); };
  add("sgdUpdate", SgdUpdate);
  add("adamUpdate", AdamUpdate);
  add("rmspropUpdate", RmspropUpdate);
}

}  // namespace blasnet
