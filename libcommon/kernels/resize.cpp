// Separable area / bilinear resize: a vertical then a horizontal pass in float, SIMD via Highway.
//
// Why vertical first: the vertical pass is a weighted sum of whole source rows (channels
// interleaved form one long contiguous row), which vectorizes perfectly, and it runs once per
// *output* row. The horizontal pass, which needs gathers, then only touches dst_h rows instead
// of src_h rows; for the common large shrink (3000x2000 -> 256) that is ~12x less gather work.
// The intermediate row stays in float, so there is one rounding per sample, at the end.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/resize.cpp"
#include "libcommon/kernels/resize.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "hwy/aligned_allocator.h"

// Types shared by every target's copy of the kernel; this file is compiled once per target.
#ifndef IMGPIPE_KERNELS_RESIZE_SHARED_
#define IMGPIPE_KERNELS_RESIZE_SHARED_
namespace imgpipe::resize_internal {

// One axis' filter: output o reads source pixels start[o] .. start[o]+count[o]-1.
struct Axis {
  int taps = 0;  // max count over all outputs
  bool identity = false;
  std::vector<int32_t> start;
  std::vector<int32_t> count;
  std::vector<float> weights;  // [o * taps + k] for k < count[o]; sums to 1 per output
};

struct Plan {
  int src_w = 0, src_h = 0, dst_w = 0, dst_h = 0, channels = 0;
  Axis x, y;
  // The horizontal filter expanded per output *sample* j = x * channels + c and padded to
  // exactly h_taps taps (window shifted inward at the right edge, zero weights), so that
  // the SIMD loop has no per-lane tap count: lane j reads in[h_base[j] + k * channels].
  int h_taps = 0;
  std::vector<int32_t> h_base;
  std::vector<float> h_weights;  // [k * dst_w * channels + j]
  // The same padded filter per output *pixel*: [x * h_taps + k].
  std::vector<float> h_pixel_weights;
};

// Floats of slack after the intermediate row: the per-pixel path loads 4 floats per 3-channel
// pixel, so its last tap may read one float past the row.
constexpr size_t kRowSlack = 4;

}  // namespace imgpipe::resize_internal
#endif  // IMGPIPE_KERNELS_RESIZE_SHARED_

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using resize_internal::Plan;

template <typename T>
HWY_INLINE T ScalarToSample(float v, float max_value) {
  // Weights are non-negative, so v >= 0 and truncating v + 0.5 rounds to nearest.
  return T(int32_t(std::min(std::max(v, 0.0f) + 0.5f, max_value)));
}

template <class DF, class DT>
HWY_INLINE hn::Vec<DT> ToSample(DF df, DT dt, hn::Vec<DF> v, hn::Vec<DF> max_value) {
  const hn::RebindToSigned<DF> di;
  v = hn::Min(hn::Add(v, hn::Set(df, 0.5f)), max_value);
  return hn::DemoteTo(dt, hn::ConvertTo(di, v));  // saturating
}

template <class DF, typename T>
HWY_INLINE hn::Vec<DF> LoadAsFloat(DF df, const T* HWY_RESTRICT p) {
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<T, DF> dt;
  return hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(dt, p)));
}

// out[i] = sum_k w[k] * rows[k][i] for i < len.
template <typename T>
void VerticalRow(const T* const* rows, const float* w, int n, size_t len, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  if (len < N) {
    for (size_t i = 0; i < len; ++i) {
      float acc = 0;
      for (int k = 0; k < n; ++k) acc += w[k] * float(rows[k][i]);
      out[i] = acc;
    }
    return;
  }
  size_t i = 0;
  // Four independent accumulators hide the FMA latency of the per-row dependency chain. All n
  // rows are read per block (accumulators stay in registers); a row-outer order over L1
  // blocks (out += w * row) measured ~40% slower on 3000x2000 -> 256 (extra float traffic).
  for (; i + 4 * N <= len; i += 4 * N) {
    auto wk = hn::Set(df, w[0]);
    auto a0 = hn::Mul(LoadAsFloat(df, rows[0] + i), wk);
    auto a1 = hn::Mul(LoadAsFloat(df, rows[0] + i + N), wk);
    auto a2 = hn::Mul(LoadAsFloat(df, rows[0] + i + 2 * N), wk);
    auto a3 = hn::Mul(LoadAsFloat(df, rows[0] + i + 3 * N), wk);
    for (int k = 1; k < n; ++k) {
      wk = hn::Set(df, w[k]);
      const T* r = rows[k] + i;
      a0 = hn::MulAdd(LoadAsFloat(df, r), wk, a0);
      a1 = hn::MulAdd(LoadAsFloat(df, r + N), wk, a1);
      a2 = hn::MulAdd(LoadAsFloat(df, r + 2 * N), wk, a2);
      a3 = hn::MulAdd(LoadAsFloat(df, r + 3 * N), wk, a3);
    }
    hn::StoreU(a0, df, out + i);
    hn::StoreU(a1, df, out + i + N);
    hn::StoreU(a2, df, out + i + 2 * N);
    hn::StoreU(a3, df, out + i + 3 * N);
  }
  for (; i < len; i += N) {
    // Without LoadN (Highway 1.0.3), the ragged end is done by one overlapping full vector;
    // recomputing a few samples is harmless because out is separate from the input.
    if (i + N > len) i = len - N;
    auto acc = hn::Mul(LoadAsFloat(df, rows[0] + i), hn::Set(df, w[0]));
    for (int k = 1; k < n; ++k) {
      acc = hn::MulAdd(LoadAsFloat(df, rows[k] + i), hn::Set(df, w[k]), acc);
    }
    hn::StoreU(acc, df, out + i);
  }
}

// out[j] = round(sum_k h_weights[k][j] * in[h_base[j] + k * channels]) for j < dst_w * channels.
template <typename T>
void HorizontalRow(const float* HWY_RESTRICT in, const Plan& p, float max_value,
                   T* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<T, decltype(df)> dt;
  const size_t N = hn::Lanes(df);
  const size_t len = size_t(p.dst_w) * p.channels;
  const auto vmax = hn::Set(df, max_value);
  if (len < N) {
    for (size_t j = 0; j < len; ++j) {
      float acc = 0;
      for (int k = 0; k < p.h_taps; ++k) {
        acc += p.h_weights[k * len + j] * in[p.h_base[j] + k * p.channels];
      }
      out[j] = ScalarToSample<T>(acc, max_value);
    }
    return;
  }
  if (p.x.identity) {  // Only the vertical axis changes: a plain conversion, no gathers.
    for (size_t j = 0; j < len; j += N) {
      if (j + N > len) j = len - N;
      hn::StoreU(ToSample(df, dt, hn::LoadU(df, in + j), vmax), dt, out + j);
    }
    return;
  }
#if HWY_TARGET != HWY_SCALAR
  if (p.channels == 3 || p.channels == 4) {
    // One pixel per 4-lane vector: each tap is a contiguous load times a broadcast weight.
    // Gathers are slow (about 20 cycles each on Zen), so this wins for the common RGB(A) case.
    const hn::Full128<float> d4;
    const hn::Rebind<T, decltype(d4)> dt4;
    const auto vmax4 = hn::Set(d4, max_value);
    const int c = p.channels;
    const int taps = p.h_taps;
    const float* HWY_RESTRICT w = p.h_pixel_weights.data();
    // The 4th lane of a 3-channel store lands on the next pixel's first sample, which the next
    // iteration overwrites; the last pixel therefore goes through a small buffer.
    const int last_direct = c == 4 ? p.dst_w : p.dst_w - 1;
    for (int x = 0; x < p.dst_w; ++x, w += taps) {
      const float* HWY_RESTRICT px = in + p.h_base[size_t(x) * c];
      auto acc = hn::Mul(hn::LoadU(d4, px), hn::Set(d4, w[0]));
      for (int k = 1; k < taps; ++k) {
        acc = hn::MulAdd(hn::LoadU(d4, px + k * c), hn::Set(d4, w[k]), acc);
      }
      const auto v = ToSample(d4, dt4, acc, vmax4);
      if (x < last_direct) {
        hn::StoreU(v, dt4, out + size_t(x) * c);
      } else {
        HWY_ALIGN T tmp[hn::MaxLanes(dt4)];
        hn::Store(v, dt4, tmp);
        std::memcpy(out + size_t(x) * c, tmp, c * sizeof(T));
      }
    }
    return;
  }
#endif
  const auto vstep = hn::Set(di, p.channels);
  const float* HWY_RESTRICT weights = p.h_weights.data();
  for (size_t j = 0; j < len; j += N) {
    if (j + N > len) j = len - N;  // overlapping last vector, as in VerticalRow
    auto idx = hn::LoadU(di, p.h_base.data() + j);
    auto acc = hn::Mul(hn::GatherIndex(df, in, idx), hn::LoadU(df, weights + j));
    for (int k = 1; k < p.h_taps; ++k) {
      idx = hn::Add(idx, vstep);
      acc = hn::MulAdd(hn::GatherIndex(df, in, idx), hn::LoadU(df, weights + k * len + j), acc);
    }
    hn::StoreU(ToSample(df, dt, acc, vmax), dt, out + j);
  }
}

template <typename T>
void ResizeRows(const Plan& p, const uint8_t* src_bytes, uint8_t* dst_bytes) {
  const T* src = reinterpret_cast<const T*>(src_bytes);
  T* dst = reinterpret_cast<T*>(dst_bytes);
  const float max_value = sizeof(T) == 1 ? 255.0f : 65535.0f;
  const size_t src_len = size_t(p.src_w) * p.channels;
  const size_t dst_len = size_t(p.dst_w) * p.channels;
  auto row = hwy::AllocateAligned<float>(src_len + resize_internal::kRowSlack);
  std::fill(row.get() + src_len, row.get() + src_len + resize_internal::kRowSlack, 0.0f);
  std::vector<const T*> rows(p.y.taps);
  for (int y = 0; y < p.dst_h; ++y) {
    const int n = p.y.count[y];
    for (int k = 0; k < n; ++k) rows[k] = src + size_t(p.y.start[y] + k) * src_len;
    VerticalRow(rows.data(), p.y.weights.data() + size_t(y) * p.y.taps, n, src_len, row.get());
    HorizontalRow(row.get(), p, max_value, dst + size_t(y) * dst_len);
  }
}

void ResizeU8(const Plan& p, const uint8_t* src, uint8_t* dst) { ResizeRows<uint8_t>(p, src, dst); }
void ResizeU16(const Plan& p, const uint8_t* src, uint8_t* dst) {
  ResizeRows<uint16_t>(p, src, dst);
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace imgpipe
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe {
HWY_EXPORT(ResizeU8);
HWY_EXPORT(ResizeU16);

namespace {
using resize_internal::Axis;
using resize_internal::Plan;

enum class Filter { kArea, kBilinear };

// Per-output (index, weight) lists in double, then normalised and stored as float. The lists
// live in one flat vector (output o owns taps[begin[o] .. begin[o+1])): for small images the
// plan is a visible part of the cost, and per-output vectors meant one allocation each.
Axis MakeAxis(int src, int dst, Filter filter) {
  std::vector<std::pair<int, double>> taps;
  std::vector<size_t> begin(dst + 1);
  taps.reserve(size_t(dst) * (filter == Filter::kArea ? size_t(src / dst + 2) : 2));
  for (int o = 0; o < dst; ++o) {
    begin[o] = taps.size();
    if (filter == Filter::kArea) {
      const double scale = double(src) / dst;
      // o*src/dst rather than o*scale: exact at integer ratios, so no sliver taps appear.
      const double lo = double(o) * src / dst;
      const double hi = double(o + 1) * src / dst;
      for (int i = std::max(0, int(std::floor(lo))); i < src && i < hi; ++i) {
        const double overlap = std::min(hi, i + 1.0) - std::max(lo, double(i));
        if (overlap > 1e-9 * scale) taps.push_back({i, overlap / scale});
      }
    } else {
      const double pos = std::clamp((o + 0.5) * src / dst - 0.5, 0.0, double(src - 1));
      const int i0 = int(std::floor(pos));
      const double frac = pos - i0;
      taps.push_back({i0, 1.0 - frac});
      if (i0 + 1 < src && frac > 0) taps.push_back({i0 + 1, frac});
    }
  }
  begin[dst] = taps.size();
  Axis axis;
  axis.identity = src == dst;
  for (int o = 0; o < dst; ++o) axis.taps = std::max(axis.taps, int(begin[o + 1] - begin[o]));
  axis.start.resize(dst);
  axis.count.resize(dst);
  axis.weights.assign(size_t(dst) * axis.taps, 0.0f);
  for (int o = 0; o < dst; ++o) {
    double sum = 0;
    for (size_t t = begin[o]; t < begin[o + 1]; ++t) sum += taps[t].second;
    axis.start[o] = taps[begin[o]].first;
    axis.count[o] = int(begin[o + 1] - begin[o]);
    for (size_t t = begin[o]; t < begin[o + 1]; ++t) {
      axis.weights[size_t(o) * axis.taps + (t - begin[o])] = float(taps[t].second / sum);
    }
  }
  return axis;
}

Plan MakePlan(const Image& src, int dst_w, int dst_h, Filter filter) {
  Plan p;
  p.src_w = src.width;
  p.src_h = src.height;
  p.dst_w = dst_w;
  p.dst_h = dst_h;
  p.channels = src.channels;
  p.x = MakeAxis(src.width, dst_w, filter);
  p.y = MakeAxis(src.height, dst_h, filter);
  // Every tap list is a run of distinct source pixels, so taps <= src_w and the shifted
  // window always fits.
  p.h_taps = p.x.taps;
  const size_t len = size_t(dst_w) * p.channels;
  p.h_base.resize(len);
  p.h_weights.assign(size_t(p.h_taps) * len, 0.0f);
  p.h_pixel_weights.assign(size_t(p.h_taps) * dst_w, 0.0f);
  for (int o = 0; o < dst_w; ++o) {
    const int start = std::min(p.x.start[o], src.width - p.h_taps);
    const int shift = p.x.start[o] - start;
    for (int k = 0; k < p.x.count[o]; ++k) {
      p.h_pixel_weights[size_t(o) * p.h_taps + k + shift] = p.x.weights[size_t(o) * p.x.taps + k];
    }
    for (int c = 0; c < p.channels; ++c) {
      const size_t j = size_t(o) * p.channels + c;
      p.h_base[j] = start * p.channels + c;
      for (int k = 0; k < p.x.count[o]; ++k) {
        p.h_weights[(k + shift) * len + j] = p.x.weights[size_t(o) * p.x.taps + k];
      }
    }
  }
  return p;
}

void ResizeWith(const Image& src_in, Image* dst, Filter filter) {
  const int w = dst->width, h = dst->height;
  // Aliasing is allowed: keep the source alive while dst is reallocated.
  Image copy;
  const Image& src = (&src_in == dst) ? (copy = src_in) : src_in;
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 || w <= 0 || h <= 0) {
    dst->Allocate(0, 0, src.channels, src.type);
    return;
  }
  const Plan plan = MakePlan(src, w, h, filter);
  dst->Allocate(w, h, src.channels, src.type);
  if (src.type == SampleType::kU8) {
    HWY_DYNAMIC_DISPATCH(ResizeU8)(plan, src.data.data(), dst->data.data());
  } else {
    HWY_DYNAMIC_DISPATCH(ResizeU16)(plan, src.data.data(), dst->data.data());
  }
}

}  // namespace

void ResizeArea(const Image& src, Image* dst) { ResizeWith(src, dst, Filter::kArea); }

void ResizeBilinear(const Image& src, Image* dst) { ResizeWith(src, dst, Filter::kBilinear); }

void Resize(const Image& src, int width, int height, Image* dst) {
  const bool shrink = width <= src.width && height <= src.height;
  Image copy;
  const Image& s = (&src == dst) ? (copy = src) : src;
  dst->width = width;
  dst->height = height;
  if (shrink) {
    ResizeArea(s, dst);
  } else {
    ResizeBilinear(s, dst);
  }
}

}  // namespace imgpipe
#endif  // HWY_ONCE
