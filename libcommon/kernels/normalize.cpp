// Fused pixels -> tensor kernel: a vertical resize pass into one float row, then per output
// "segment" (a plane for CHW, the whole row for HWC) a horizontal pass that gathers, weights,
// normalises and converts in registers, so each output sample is written exactly once.
//
// Why one index map per output sample: channel order (RGB/BGR), layout (CHW/HWC), gray
// replication, centre crop and letterbox padding all become *where a sample is read from* and
// *which affine constant it gets*. The SIMD loop then has no per-mode branches at all. Two
// contiguous fast paths cover the common no-horizontal-resize case without gathers.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/normalize.cpp"
#include "libcommon/kernels/normalize.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"

#ifndef IMGPIPE_KERNELS_NORMALIZE_SHARED_
#define IMGPIPE_KERNELS_NORMALIZE_SHARED_
namespace imgpipe::normalize_internal {

struct Plan {
  int src_w = 0, src_h = 0, src_c = 0;
  int out_w = 0, out_h = 0;
  bool chw = true;
  NormDtype dtype = NormDtype::kF32;
  // Vertical taps per output row; count 0 marks a letterbox pad row.
  int y_taps = 0;
  std::vector<int32_t> y_start, y_count;
  std::vector<float> y_w;  // [y * y_taps + k]
  // Source columns [xlo, xlo + xw) feed the float row.
  int xlo = 0, xw = 0;
  // Segments: 3 planes (chw) or one interleaved row (hwc) of seg_len samples each.
  int segments = 1;
  size_t seg_len = 0;
  int h_taps = 1;
  std::vector<int32_t> idx;     // [s * seg_len + j]: float-row index of tap 0
  std::vector<float> hw;        // [(s * h_taps + k) * seg_len + j]
  std::vector<float> scale;     // [s * seg_len + j]
  std::vector<float> bias;      // [s * seg_len + j]
  std::vector<float> pad_row;   // [s * seg_len + j]: value of a pad row
  // Fast paths when the horizontal axis is the identity.
  bool fast_hwc = false;     // 3-channel source, hwc, RGB: out[j] = row[j] * scale + bias
  bool fast_planar = false;  // 3-channel source, chw: deinterleave with LoadInterleaved3
  int perm[3] = {0, 1, 2};
  float ch_scale[3] = {1, 1, 1}, ch_bias[3] = {0, 0, 0};
};

constexpr size_t kRowSlack = 64;  // floats after the row, so overlapping loads stay inside

inline uint16_t F16FromFloatScalar(float f) {
  const float scale_to_inf = 0x1.0p+112f, scale_to_zero = 0x1.0p-110f;
  float base = (std::fabs(f) * scale_to_inf) * scale_to_zero;
  uint32_t w;
  std::memcpy(&w, &f, 4);
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = w & 0x7F800000u;
  if (bias < 0x38800000u) bias = 0x38800000u;
  const uint32_t b2 = bias + 0x07800000u;
  float fb;
  std::memcpy(&fb, &b2, 4);
  base = fb + base;
  uint32_t bits;
  std::memcpy(&bits, &base, 4);
  const uint32_t nonsign = ((bits >> 13) & 0x7C00u) + (bits & 0x0FFFu);
  if ((w & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t((sign >> 16) | 0x7E00u);  // NaN
  return uint16_t((sign >> 16) | nonsign);
}

inline uint16_t BF16FromFloatScalar(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t((bits >> 16) | 0x40);  // quiet NaN
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return uint16_t(bits >> 16);
}

inline void StoreScalar(float v, NormDtype dtype, uint8_t* out, size_t j) {
  switch (dtype) {
    case NormDtype::kF32:
      std::memcpy(out + 4 * j, &v, 4);
      break;
    case NormDtype::kU8:
      out[j] = uint8_t(std::nearbyint(std::min(std::max(v, 0.0f), 255.0f)));
      break;
    case NormDtype::kF16: {
      uint16_t h = F16FromFloatScalar(v);
      std::memcpy(out + 2 * j, &h, 2);
      break;
    }
    case NormDtype::kBF16: {
      uint16_t h = BF16FromFloatScalar(v);
      std::memcpy(out + 2 * j, &h, 2);
      break;
    }
  }
}

}  // namespace imgpipe::normalize_internal
#endif  // IMGPIPE_KERNELS_NORMALIZE_SHARED_

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using normalize_internal::Plan;

template <class DF, typename T>
HWY_INLINE hn::Vec<DF> LoadAsFloat(DF df, const T* HWY_RESTRICT p) {
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<T, DF> dt;
  return hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(dt, p)));
}

// IEEE binary16 bits (round to nearest even, overflow to inf) of each lane, in the low 16 bits
// of a u32 lane. Highway 1.0.3's DemoteTo(f16) truncates on targets without F16C, so every
// target uses this float-arithmetic trick (exact: the addition does the rounding).
template <class DF>
HWY_INLINE hn::Vec<hn::RebindToSigned<DF>> F16Bits(DF df, hn::Vec<DF> v) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const auto w = hn::BitCast(du, v);
  const auto sign = hn::And(w, hn::Set(du, 0x80000000u));
  auto base = hn::Mul(hn::Mul(hn::Abs(v), hn::Set(df, 0x1.0p+112f)), hn::Set(df, 0x1.0p-110f));
  auto bias = hn::BitCast(di, hn::And(w, hn::Set(du, 0x7F800000u)));
  bias = hn::Max(bias, hn::Set(di, 0x38800000));
  base = hn::Add(hn::BitCast(df, hn::Add(bias, hn::Set(di, 0x07800000))), base);
  const auto bits = hn::BitCast(du, base);
  const auto nonsign = hn::Add(hn::And(hn::ShiftRight<13>(bits), hn::Set(du, 0x7C00u)),
                               hn::And(bits, hn::Set(du, 0x0FFFu)));
  return hn::BitCast(di, hn::Or(hn::ShiftRight<16>(sign), nonsign));
}

template <class DF>
HWY_INLINE hn::Vec<hn::RebindToSigned<DF>> BF16Bits(DF df, hn::Vec<DF> v) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const auto bits = hn::BitCast(du, v);
  const auto lsb = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1u));
  const auto rounded = hn::Add(hn::Add(bits, hn::Set(du, 0x7FFFu)), lsb);
  return hn::BitCast(di, hn::ShiftRight<16>(rounded));
}

// Converts and stores N lanes at element j of `out`.
template <NormDtype D, class DF>
HWY_INLINE void StoreOut(DF df, hn::Vec<DF> v, uint8_t* HWY_RESTRICT out, size_t j) {
  if constexpr (D == NormDtype::kF32) {
    hn::StoreU(v, df, reinterpret_cast<float*>(out) + j);
  } else if constexpr (D == NormDtype::kU8) {
    const hn::Rebind<uint8_t, DF> d8;
    v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
    hn::StoreU(hn::DemoteTo(d8, hn::NearestInt(v)), d8, out + j);
  } else {
    const hn::Rebind<uint16_t, DF> d16;
    const auto bits = D == NormDtype::kF16 ? F16Bits(df, v) : BF16Bits(df, v);
    hn::StoreU(hn::DemoteTo(d16, bits), d16, reinterpret_cast<uint16_t*>(out) + j);
  }
}

// row[i] = sum_k w[k] * rows[k][i] for i < len.
template <typename T>
void VerticalRow(const T* const* rows, const float* w, int n, size_t len, float* HWY_RESTRICT row) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  if (len < N) {
    for (size_t i = 0; i < len; ++i) {
      float acc = 0;
      for (int k = 0; k < n; ++k) acc += w[k] * float(rows[k][i]);
      row[i] = acc;
    }
    return;
  }
  size_t i = 0;
  if (n == 1 && w[0] == 1.0f) {  // no vertical resize: a plain conversion
    for (; i < len; i += N) {
      if (i + N > len) i = len - N;
      hn::StoreU(LoadAsFloat(df, rows[0] + i), df, row + i);
    }
    return;
  }
  for (; i + 2 * N <= len; i += 2 * N) {
    auto wk = hn::Set(df, w[0]);
    auto a0 = hn::Mul(LoadAsFloat(df, rows[0] + i), wk);
    auto a1 = hn::Mul(LoadAsFloat(df, rows[0] + i + N), wk);
    for (int k = 1; k < n; ++k) {
      wk = hn::Set(df, w[k]);
      a0 = hn::MulAdd(LoadAsFloat(df, rows[k] + i), wk, a0);
      a1 = hn::MulAdd(LoadAsFloat(df, rows[k] + i + N), wk, a1);
    }
    hn::StoreU(a0, df, row + i);
    hn::StoreU(a1, df, row + i + N);
  }
  for (; i < len; i += N) {
    if (i + N > len) i = len - N;  // overlapping last vector (no LoadN in Highway 1.0.3)
    auto acc = hn::Mul(LoadAsFloat(df, rows[0] + i), hn::Set(df, w[0]));
    for (int k = 1; k < n; ++k) acc = hn::MulAdd(LoadAsFloat(df, rows[k] + i), hn::Set(df, w[k]), acc);
    hn::StoreU(acc, df, row + i);
  }
}

// One segment of one output row from the float row.
template <NormDtype D>
void HorizontalSegment(const float* HWY_RESTRICT row, const Plan& p, int s,
                       uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const size_t N = hn::Lanes(df);
  const size_t len = p.seg_len;
  const size_t base = size_t(s) * len;
  const int32_t* HWY_RESTRICT idx = p.idx.data() + base;
  const float* HWY_RESTRICT scale = p.scale.data() + base;
  const float* HWY_RESTRICT bias = p.bias.data() + base;
  const float* HWY_RESTRICT w = p.hw.data() + size_t(s) * p.h_taps * len;
  if (len < N) {
    for (size_t j = 0; j < len; ++j) {
      float acc = 0;
      for (int k = 0; k < p.h_taps; ++k) acc += w[k * len + j] * row[idx[j] + k * p.src_c];
      normalize_internal::StoreScalar(acc * scale[j] + bias[j], D, out, j);
    }
    return;
  }
  if (p.fast_hwc) {
    for (size_t j = 0; j < len; j += N) {
      if (j + N > len) j = len - N;
      const auto v = hn::MulAdd(hn::LoadU(df, row + j), hn::LoadU(df, scale + j),
                                hn::LoadU(df, bias + j));
      StoreOut<D>(df, v, out, j);
    }
    return;
  }
  const auto step = hn::Set(di, p.src_c);
  for (size_t j = 0; j < len; j += N) {
    if (j + N > len) j = len - N;
    auto vi = hn::LoadU(di, idx + j);
    auto acc = hn::Mul(hn::GatherIndex(df, row, vi), hn::LoadU(df, w + j));
    for (int k = 1; k < p.h_taps; ++k) {
      vi = hn::Add(vi, step);
      acc = hn::MulAdd(hn::GatherIndex(df, row, vi), hn::LoadU(df, w + k * len + j), acc);
    }
    StoreOut<D>(df, hn::MulAdd(acc, hn::LoadU(df, scale + j), hn::LoadU(df, bias + j)), out, j);
  }
}

// CHW from an interleaved 3-channel row without horizontal resampling: one deinterleave, three
// affine maps, three contiguous stores.
template <NormDtype D>
void PlanarRow(const float* HWY_RESTRICT row, const Plan& p, uint8_t* const* outs) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  const size_t w = size_t(p.out_w);
  const auto s0 = hn::Set(df, p.ch_scale[0]), s1 = hn::Set(df, p.ch_scale[1]),
             s2 = hn::Set(df, p.ch_scale[2]);
  const auto b0 = hn::Set(df, p.ch_bias[0]), b1 = hn::Set(df, p.ch_bias[1]),
             b2 = hn::Set(df, p.ch_bias[2]);
  for (size_t x = 0; x < w; x += N) {
    if (x + N > w) x = w - N;
    hn::Vec<decltype(df)> c[3];
    hn::LoadInterleaved3(df, row + 3 * x, c[0], c[1], c[2]);
    StoreOut<D>(df, hn::MulAdd(c[p.perm[0]], s0, b0), outs[0], x);
    StoreOut<D>(df, hn::MulAdd(c[p.perm[1]], s1, b1), outs[1], x);
    StoreOut<D>(df, hn::MulAdd(c[p.perm[2]], s2, b2), outs[2], x);
  }
}

template <NormDtype D>
void PadSegment(const Plan& p, int s, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  const size_t len = p.seg_len;
  const float* v = p.pad_row.data() + size_t(s) * len;
  if (len < N) {
    for (size_t j = 0; j < len; ++j) normalize_internal::StoreScalar(v[j], D, out, j);
    return;
  }
  for (size_t j = 0; j < len; j += N) {
    if (j + N > len) j = len - N;
    StoreOut<D>(df, hn::LoadU(df, v + j), out, j);
  }
}

template <typename T, NormDtype D>
void NormalizeRows(const Plan& p, const uint8_t* src_bytes, uint8_t* out) {
  const hn::ScalableTag<float> df;
  const T* src = reinterpret_cast<const T*>(src_bytes);
  const size_t esize = NormDtypeSize(D);
  const size_t src_len = size_t(p.src_w) * p.src_c;
  const size_t row_len = size_t(p.xw) * p.src_c;
  auto row = hwy::AllocateAligned<float>(row_len + normalize_internal::kRowSlack);
  std::fill(row.get(), row.get() + row_len + normalize_internal::kRowSlack, 0.0f);
  std::vector<const T*> rows(std::max(p.y_taps, 1));
  const size_t plane = size_t(p.out_w) * p.out_h;
  const bool planar = p.fast_planar && size_t(p.out_w) >= hn::Lanes(df);
  for (int y = 0; y < p.out_h; ++y) {
    uint8_t* seg_out[3];
    for (int s = 0; s < p.segments; ++s) {
      seg_out[s] = p.chw ? out + (size_t(s) * plane + size_t(y) * p.out_w) * esize
                         : out + size_t(y) * p.seg_len * esize;
    }
    const int n = p.y_count[y];
    if (n == 0) {
      for (int s = 0; s < p.segments; ++s) PadSegment<D>(p, s, seg_out[s]);
      continue;
    }
    for (int k = 0; k < n; ++k) rows[k] = src + size_t(p.y_start[y] + k) * src_len + size_t(p.xlo) * p.src_c;
    VerticalRow(rows.data(), p.y_w.data() + size_t(y) * p.y_taps, n, row_len, row.get());
    if (planar) {
      PlanarRow<D>(row.get(), p, seg_out);
    } else {
      for (int s = 0; s < p.segments; ++s) HorizontalSegment<D>(row.get(), p, s, seg_out[s]);
    }
  }
}

template <typename T>
void NormalizeTyped(const Plan& p, const uint8_t* src, uint8_t* out) {
  switch (p.dtype) {
    case NormDtype::kF32: return NormalizeRows<T, NormDtype::kF32>(p, src, out);
    case NormDtype::kF16: return NormalizeRows<T, NormDtype::kF16>(p, src, out);
    case NormDtype::kBF16: return NormalizeRows<T, NormDtype::kBF16>(p, src, out);
    case NormDtype::kU8: return NormalizeRows<T, NormDtype::kU8>(p, src, out);
  }
}

void NormalizeU8(const Plan& p, const uint8_t* src, uint8_t* out) {
  NormalizeTyped<uint8_t>(p, src, out);
}
void NormalizeU16(const Plan& p, const uint8_t* src, uint8_t* out) {
  NormalizeTyped<uint16_t>(p, src, out);
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace imgpipe
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe {
HWY_EXPORT(NormalizeU8);
HWY_EXPORT(NormalizeU16);

const char* NormDtypeName(NormDtype d) {
  switch (d) {
    case NormDtype::kF32: return "f32";
    case NormDtype::kF16: return "f16";
    case NormDtype::kBF16: return "bf16";
    case NormDtype::kU8: return "u8";
  }
  return "?";
}

size_t NormDtypeSize(NormDtype d) {
  return d == NormDtype::kF32 ? 4 : d == NormDtype::kU8 ? 1 : 2;
}

uint16_t FloatToF16Bits(float v) { return normalize_internal::F16FromFloatScalar(v); }
uint16_t FloatToBF16Bits(float v) { return normalize_internal::BF16FromFloatScalar(v); }

double F16BitsToDouble(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  double v;
  if (exp == 0) v = std::ldexp(double(mant), -24);
  else if (exp == 31) v = mant ? NAN : INFINITY;
  else v = std::ldexp(double(mant + 1024), exp - 25);
  return sign ? -v : v;
}

double BF16BitsToDouble(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

Result<NormGeometry> PlanNormGeometry(int src_w, int src_h, const NormSpec& spec) {
  if (src_w <= 0 || src_h <= 0) return MakeError("bad-record", "image has no pixels");
  NormGeometry g;
  g.src_w = src_w;
  g.src_h = src_h;
  if (spec.resize == NormResize::kNone) {
    g.out_w = g.resized_w = g.inner_w = src_w;
    g.out_h = g.resized_h = g.inner_h = src_h;
    return g;
  }
  if (spec.width <= 0 || spec.height <= 0)
    return MakeError("usage", "the target size must be positive");
  const int W = spec.width, H = spec.height;
  g.out_w = W;
  g.out_h = H;
  switch (spec.resize) {
    case NormResize::kNone:
    case NormResize::kStretch:
      g.resized_w = g.inner_w = W;
      g.resized_h = g.inner_h = H;
      break;
    case NormResize::kShortSide: {
      // Cover the target, aspect kept (the short side meets it), then crop the centre.
      const double s = std::max(double(W) / src_w, double(H) / src_h);
      g.resized_w = std::max(W, int(std::lround(src_w * s)));
      g.resized_h = std::max(H, int(std::lround(src_h * s)));
      g.crop_x = (g.resized_w - W) / 2;
      g.crop_y = (g.resized_h - H) / 2;
      g.inner_w = W;
      g.inner_h = H;
      break;
    }
    case NormResize::kLetterbox: {
      const double s = std::min(double(W) / src_w, double(H) / src_h);
      g.resized_w = g.inner_w = std::clamp(int(std::lround(src_w * s)), 1, W);
      g.resized_h = g.inner_h = std::clamp(int(std::lround(src_h * s)), 1, H);
      g.inner_x = (W - g.inner_w) / 2;
      g.inner_y = (H - g.inner_h) / 2;
      break;
    }
  }
  g.scale_x = double(g.resized_w) / src_w;
  g.scale_y = double(g.resized_h) / src_h;
  g.offset_x = g.inner_x - g.crop_x;
  g.offset_y = g.inner_y - g.crop_y;
  return g;
}

size_t NormOutputBytes(const NormGeometry& g, const NormSpec& spec) {
  return size_t(kNormChannels) * g.out_w * g.out_h * NormDtypeSize(spec.dtype);
}

namespace {
using normalize_internal::Plan;

struct Taps {
  int start = 0;
  std::vector<double> w;  // empty: pad
};

// Taps for output positions [0, out) of one axis: positions inside [inner, inner + inner_len)
// show resized pixel (o - inner + crop) of a source of `src` pixels resized to `resized`.
std::vector<Taps> AxisTaps(int src, int resized, int crop, int inner, int inner_len, int out,
                           NormFilter filter) {
  std::vector<Taps> taps(out);
  const bool area = filter == NormFilter::kArea || (filter == NormFilter::kAuto && resized <= src);
  for (int o = inner; o < inner + inner_len; ++o) {
    const int r = o - inner + crop;
    Taps& t = taps[o];
    if (resized == src) {
      t.start = r;
      t.w = {1.0};
      continue;
    }
    if (area) {
      const double scale = double(src) / resized;
      const double lo = double(r) * src / resized, hi = double(r + 1) * src / resized;
      int first = -1;
      std::vector<double> w;
      for (int i = std::max(0, int(std::floor(lo))); i < src && i < hi; ++i) {
        const double overlap = std::min(hi, i + 1.0) - std::max(lo, double(i));
        if (overlap <= 1e-9 * scale) {
          if (first < 0) continue;
          break;
        }
        if (first < 0) first = i;
        w.push_back(overlap);
      }
      double sum = 0;
      for (double v : w) sum += v;
      for (double& v : w) v /= sum;
      t.start = first;
      t.w = std::move(w);
    } else {
      const double pos = std::clamp((r + 0.5) * src / resized - 0.5, 0.0, double(src - 1));
      const int i0 = int(std::floor(pos));
      const double frac = pos - i0;
      t.start = i0;
      t.w = {1.0 - frac};
      if (i0 + 1 < src && frac > 0) t.w.push_back(frac);
    }
  }
  return taps;
}

Plan MakePlan(const Image& src, const NormSpec& spec, const NormGeometry& g) {
  Plan p;
  p.src_w = src.width;
  p.src_h = src.height;
  p.src_c = src.channels;
  p.out_w = g.out_w;
  p.out_h = g.out_h;
  p.chw = spec.chw;
  p.dtype = spec.dtype;

  const std::vector<Taps> ty =
      AxisTaps(src.height, g.resized_h, g.crop_y, g.inner_y, g.inner_h, g.out_h, spec.filter);
  const std::vector<Taps> tx =
      AxisTaps(src.width, g.resized_w, g.crop_x, g.inner_x, g.inner_w, g.out_w, spec.filter);

  for (const Taps& t : ty) p.y_taps = std::max(p.y_taps, int(t.w.size()));
  p.y_start.assign(g.out_h, 0);
  p.y_count.assign(g.out_h, 0);
  p.y_w.assign(size_t(g.out_h) * std::max(p.y_taps, 1), 0.0f);
  for (int y = 0; y < g.out_h; ++y) {
    p.y_start[y] = ty[y].start;
    p.y_count[y] = int(ty[y].w.size());
    for (size_t k = 0; k < ty[y].w.size(); ++k) p.y_w[size_t(y) * p.y_taps + k] = float(ty[y].w[k]);
  }

  int xlo = src.width, xhi = 0, taps = 1;
  for (const Taps& t : tx) {
    if (t.w.empty()) continue;
    xlo = std::min(xlo, t.start);
    xhi = std::max(xhi, t.start + int(t.w.size()));
    taps = std::max(taps, int(t.w.size()));
  }
  if (xhi <= xlo) xlo = 0, xhi = 1;  // cannot happen for a planned geometry; stay in bounds
  p.xlo = xlo;
  p.xw = xhi - xlo;
  p.h_taps = taps;

  // Per output channel: which source channel, and the affine constants.
  const double max_sample = src.type == SampleType::kU8 ? 255.0 : 65535.0;
  const double pad_sample = spec.pad * max_sample / 255.0;
  double ch_scale[3], ch_bias[3];
  int src_ch[3];
  for (int c = 0; c < 3; ++c) {
    const int color = spec.bgr ? 2 - c : c;
    p.perm[c] = color;
    src_ch[c] = src.channels >= 3 ? color : 0;
    if (spec.dtype == NormDtype::kU8) {
      ch_scale[c] = 255.0 / max_sample;
      ch_bias[c] = 0;
    } else {
      ch_scale[c] = 1.0 / (max_sample * spec.std[color]);
      ch_bias[c] = -spec.mean[color] / spec.std[color];
    }
    p.ch_scale[c] = float(ch_scale[c]);
    p.ch_bias[c] = float(ch_bias[c]);
  }

  p.segments = spec.chw ? 3 : 1;
  p.seg_len = spec.chw ? size_t(g.out_w) : size_t(g.out_w) * 3;
  const size_t total = p.seg_len * p.segments;
  p.idx.assign(total, 0);
  p.hw.assign(total * p.h_taps, 0.0f);
  p.scale.assign(total, 0.0f);
  p.bias.assign(total, 0.0f);
  p.pad_row.assign(total, 0.0f);
  for (int s = 0; s < p.segments; ++s) {
    for (size_t j = 0; j < p.seg_len; ++j) {
      const int x = spec.chw ? int(j) : int(j / 3);
      const int c = spec.chw ? s : int(j % 3);
      const size_t at = size_t(s) * p.seg_len + j;
      const double pad_out = pad_sample * ch_scale[c] + ch_bias[c];
      p.scale[at] = float(ch_scale[c]);
      p.pad_row[at] = float(pad_out);
      const Taps& t = tx[x];
      if (t.w.empty()) {
        p.bias[at] = float(pad_out);  // zero weights: the letterbox border
        continue;
      }
      p.bias[at] = float(ch_bias[c]);
      // Shift the window inward at the right edge so every lane has exactly h_taps taps.
      const int start = std::min(t.start, xhi - p.h_taps);
      const int shift = t.start - start;
      p.idx[at] = (start - xlo) * p.src_c + src_ch[c];
      for (size_t k = 0; k < t.w.size(); ++k) {
        p.hw[(size_t(s) * p.h_taps + k + shift) * p.seg_len + j] = float(t.w[k]);
      }
    }
  }
  const bool x_identity = g.inner_w == g.out_w && g.resized_w == src.width && g.crop_x == 0 &&
                          g.out_w == src.width;
  if (x_identity && src.channels == 3) {
    p.fast_hwc = !spec.chw && !spec.bgr;
    p.fast_planar = spec.chw;
  }
  return p;
}

}  // namespace

void NormalizeImage(const Image& src, const NormSpec& spec, const NormGeometry& g, uint8_t* out) {
  const Plan plan = MakePlan(src, spec, g);
  if (src.type == SampleType::kU8) {
    HWY_DYNAMIC_DISPATCH(NormalizeU8)(plan, src.data.data(), out);
  } else {
    HWY_DYNAMIC_DISPATCH(NormalizeU16)(plan, src.data.data(), out);
  }
}

}  // namespace imgpipe
#endif  // HWY_ONCE
