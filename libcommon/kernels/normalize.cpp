// Fused pixels -> tensor kernel: a vertical resize pass into one float row, then per output
// "segment" (a plane for CHW, the whole row for HWC) a horizontal pass that gathers, weights,
// normalises and converts in registers, so each output sample is written exactly once.
//
// Why one index map per output sample: channel order (RGB/BGR), layout (CHW/HWC), gray
// replication, centre crop and letterbox padding all become *where a sample is read from* and
// *which affine constant it gets*. The SIMD loop then has no per-mode branches at all. Two
// contiguous fast paths cover the common no-horizontal-resize case without gathers; for u8 RGB
// rows that need no vertical resampling either (the normalise-only pass) they read the source
// bytes directly instead of going through the float row. The per-call plan (tap and constant
// tables) is kept per thread and reused while the inputs repeat.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/normalize.cpp"
#include "libcommon/kernels/normalize.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
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
  // u8 3-channel source, x identity, chw or RGB hwc: rows whose vertical weight is exactly 1 are
  // read straight from the source bytes (no float row).
  bool direct_u8 = false;
  bool tables = true;  // idx / hw / pad_row built (not needed when every row goes direct)
  int perm[3] = {0, 1, 2};
  float ch_scale[3] = {1, 1, 1}, ch_bias[3] = {0, 0, 0};
  // Per-pixel horizontal pass (CHW, 3- or 4-channel source, horizontal resampling, at least
  // kPixelGroup inner columns): instead of one gather per output sample and tap, each output
  // pixel's tap reads its source pixel's channels as one 4-float load. Output pixels go in
  // groups of kPixelGroup (the last group overlaps its neighbour): px_group_x[g] is the first
  // output column of group g; px_off[x] the float-row offset of column x's tap 0 (tap k is
  // at + k * src_c); px_w[((g * h_taps + k) * 4 + i) * 8 + 4 * b + lane] = weight of tap k of
  // pixel px_group_x[g] + 4 * b + i (replicated over the 4 lanes of a 128-bit block, the
  // layout the 4x4 block transpose wants).
  bool pixel_h = false;
  std::vector<int32_t> px_group_x, px_off;
  std::vector<float> px_w;
  float ch_pad[3] = {0, 0, 0};  // per output channel: the letterbox border value
};

constexpr int kPixelGroup = 8;

constexpr size_t kRowSlack = 64;  // floats after the row, so overlapping loads stay inside
// The direct paths need out_w >= Lanes(float); 64 covers every target (2048-bit SVE), so a plan
// that skips the per-sample tables never meets a target that would need them.
constexpr int kDirectMinWidth = 64;

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
// of a u32 lane. Highway 1.0.3's DemoteTo(f16) truncates on targets without F16C, so those
// targets use this float-arithmetic trick (exact: the addition does the rounding).
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

// Highway 1.0.3's DemoteTo(f16) is F16C's round-to-nearest-even conversion on AVX2 and later
// x86 targets; elsewhere it truncates, so those targets keep F16Bits.
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2 && !defined(HWY_DISABLE_F16C)
constexpr bool kHardwareF16 = true;
#else
constexpr bool kHardwareF16 = false;
#endif

// Converts and stores N lanes at element j of `out`.
template <NormDtype D, class DF>
HWY_INLINE void StoreOut(DF df, hn::Vec<DF> v, uint8_t* HWY_RESTRICT out, size_t j) {
  if constexpr (D == NormDtype::kF32) {
    hn::StoreU(v, df, reinterpret_cast<float*>(out) + j);
  } else if constexpr (D == NormDtype::kU8) {
    const hn::Rebind<uint8_t, DF> d8;
    v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
    hn::StoreU(hn::DemoteTo(d8, hn::NearestInt(v)), d8, out + j);
  } else if constexpr (D == NormDtype::kF16 && kHardwareF16) {
    // vcvtps2ph (imm 0: round to nearest even, overflow to inf): one instruction.
    const hn::Rebind<hwy::float16_t, DF> dh;
    const hn::Rebind<uint16_t, DF> d16;
    hn::StoreU(hn::BitCast(d16, hn::DemoteTo(dh, v)), d16, reinterpret_cast<uint16_t*>(out) + j);
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
  // Four independent accumulators: each tap's FMA waits for the previous tap's, so with fewer
  // chains the loop runs at FMA latency rather than throughput.
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
    hn::StoreU(a0, df, row + i);
    hn::StoreU(a1, df, row + i + N);
    hn::StoreU(a2, df, row + i + 2 * N);
    hn::StoreU(a3, df, row + i + 3 * N);
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

// The per-pixel horizontal pass one lane at a time (the scalar target), from the same tables.
template <NormDtype D>
void PixelRowCHWLanes(const float* HWY_RESTRICT row, const Plan& p, uint8_t* const* outs) {
  constexpr size_t G = normalize_internal::kPixelGroup;
  const int taps = p.h_taps;
  const size_t inner_lo = size_t(p.px_group_x.front());
  const size_t inner_hi = size_t(p.px_group_x.back()) + G;
  for (size_t x = 0; x < size_t(p.out_w); ++x) {
    if (x < inner_lo || x >= inner_hi) {
      for (int c = 0; c < 3; ++c) normalize_internal::StoreScalar(p.ch_pad[c], D, outs[c], x);
      continue;
    }
    // The group holding x (the last group may overlap the one before: either gives x).
    const size_t g = std::min((x - inner_lo) / G, p.px_group_x.size() - 1);
    const size_t q = x - size_t(p.px_group_x[g]), b = q / 4, i = q % 4;
    for (int c = 0; c < 3; ++c) {
      const int ch = p.perm[c];
      float acc = 0;
      for (int k = 0; k < taps; ++k) {
        const float w = p.px_w[((g * taps + size_t(k)) * 4 + i) * G + 4 * b];
        const float v = row[p.px_off[x] + k * p.src_c + ch];
        acc = k == 0 ? v * w : acc + v * w;
      }
      normalize_internal::StoreScalar(acc * p.ch_scale[c] + p.ch_bias[c], D, outs[c], x);
    }
  }
}

#if HWY_TARGET != HWY_SCALAR
// CHW with horizontal resampling, per output pixel rather than per sample (see Plan::pixel_h):
// a vector of N = 4 or 8 lanes holds 1 or 2 blocks of [R G B x] of four different pixels'
// taps; after the taps a 4x4 transpose inside each block turns four such vectors into R, G and
// B vectors of 4 or 8 consecutive output pixels. Same float arithmetic as the gather path
// (products of the same weights and row values, summed tap by tap), no gathers.
template <NormDtype D>
void PixelRowCHW(const float* HWY_RESTRICT row, const Plan& p, uint8_t* const* outs) {
  const hn::CappedTag<float, normalize_internal::kPixelGroup> d;
  const hn::Full128<float> d4;
  const hn::RebindToUnsigned<decltype(d)> du;
  const hn::Repartition<uint64_t, decltype(d)> d64;
  constexpr size_t N = hn::MaxLanes(d);
  static_assert(N == 4 || N == 8, "needs 128-bit blocks");
  constexpr size_t G = normalize_internal::kPixelGroup;
  const int taps = p.h_taps;
  const size_t step = size_t(p.src_c);
  const int32_t* HWY_RESTRICT off = p.px_off.data();
  const float* HWY_RESTRICT wts = p.px_w.data();
  const auto s0 = hn::Set(d, p.ch_scale[0]), s1 = hn::Set(d, p.ch_scale[1]),
             s2 = hn::Set(d, p.ch_scale[2]);
  const auto b0 = hn::Set(d, p.ch_bias[0]), b1 = hn::Set(d, p.ch_bias[1]),
             b2 = hn::Set(d, p.ch_bias[2]);
  // Tap k of the pixels of lane-block(s) `i` of sub-vector h: pixel x + h + 4 * b + i.
  const auto load = [&](size_t x, size_t h, size_t i, int k) HWY_ATTR {
    const float* at = row + size_t(k) * step;
    if constexpr (N == 8) {
      const hn::Half<decltype(d)> dh;
      return hn::Combine(d, hn::LoadU(dh, at + off[x + 4 + i]), hn::LoadU(dh, at + off[x + i]));
    } else {
      (void)d4;
      return hn::LoadU(d, at + off[x + h + i]);
    }
  };
  const size_t groups = p.px_group_x.size();
  for (size_t g = 0; g < groups; ++g) {
    const size_t x = size_t(p.px_group_x[g]);
    for (size_t h = 0; h < G; h += N) {
      const float* wg = wts + size_t(g) * taps * 4 * G + h;
      hn::Vec<decltype(d)> acc[4];
      for (size_t i = 0; i < 4; ++i) acc[i] = hn::Mul(load(x, h, i, 0), hn::LoadU(d, wg + i * G));
      for (int k = 1; k < taps; ++k) {
        const float* wk = wg + size_t(k) * 4 * G;
        for (size_t i = 0; i < 4; ++i)
          acc[i] = hn::MulAdd(load(x, h, i, k), hn::LoadU(d, wk + i * G), acc[i]);
      }
      // acc[i] block b = [R G B x] of pixel x + h + 4b + i; transpose each block.
      const auto t0 = hn::InterleaveLower(d, acc[0], acc[1]);  // R0 R1 G0 G1
      const auto t1 = hn::InterleaveLower(d, acc[2], acc[3]);  // R2 R3 G2 G3
      const auto t2 = hn::InterleaveUpper(d, acc[0], acc[1]);  // B0 B1 x x
      const auto t3 = hn::InterleaveUpper(d, acc[2], acc[3]);  // B2 B3 x x
      hn::Vec<decltype(d)> c[3];
      c[0] = hn::BitCast(d, hn::InterleaveLower(d64, hn::BitCast(d64, t0), hn::BitCast(d64, t1)));
      c[1] = hn::BitCast(d, hn::InterleaveUpper(d64, hn::BitCast(d64, t0), hn::BitCast(d64, t1)));
      c[2] = hn::BitCast(d, hn::InterleaveLower(d64, hn::BitCast(d64, t2), hn::BitCast(d64, t3)));
      (void)du;
      StoreOut<D>(d, hn::MulAdd(c[p.perm[0]], s0, b0), outs[0], x + h);
      StoreOut<D>(d, hn::MulAdd(c[p.perm[1]], s1, b1), outs[1], x + h);
      StoreOut<D>(d, hn::MulAdd(c[p.perm[2]], s2, b2), outs[2], x + h);
    }
  }
  // The letterbox border columns.
  const size_t inner_lo = size_t(p.px_group_x.front());
  const size_t inner_hi = size_t(p.px_group_x.back()) + G;
  for (int c = 0; c < 3; ++c) {
    for (size_t j = 0; j < inner_lo; ++j) normalize_internal::StoreScalar(p.ch_pad[c], D, outs[c], j);
    for (size_t j = inner_hi; j < size_t(p.out_w); ++j)
      normalize_internal::StoreScalar(p.ch_pad[c], D, outs[c], j);
  }
}

// CHW straight from interleaved u8 RGB: every 128-bit block of a vector takes 4 pixels (12
// bytes; a lane permute spreads 3 words per block), then one byte shuffle per channel zero-extends
// that channel's 4 samples into i32 lanes: load, permute, 3 x (shuffle, convert, FMA, store).
// `avail` is how many bytes may be read from `row` (the image may end right after it).
template <NormDtype D>
void PlanarRowU8(const uint8_t* HWY_RESTRICT row, size_t avail, const Plan& p,
                 uint8_t* const* outs) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Repartition<uint8_t, decltype(df)> d8;
  const size_t N = hn::Lanes(df);
  const size_t w = size_t(p.out_w);
  HWY_DASSERT(N >= 4 && w >= N);
  HWY_ALIGN int32_t lane_word[hn::MaxLanes(di)];
  for (size_t i = 0; i < N; ++i) lane_word[i] = int32_t(3 * (i / 4) + std::min<size_t>(i % 4, 2));
  const auto spread = hn::SetTableIndices(di, lane_word);
  constexpr uint8_t Z = 0x80;
  HWY_ALIGN static constexpr uint8_t kPick[3][16] = {
      {0, Z, Z, Z, 3, Z, Z, Z, 6, Z, Z, Z, 9, Z, Z, Z},
      {1, Z, Z, Z, 4, Z, Z, Z, 7, Z, Z, Z, 10, Z, Z, Z},
      {2, Z, Z, Z, 5, Z, Z, Z, 8, Z, Z, Z, 11, Z, Z, Z}};
  const auto pick0 = hn::LoadDup128(d8, kPick[p.perm[0]]);
  const auto pick1 = hn::LoadDup128(d8, kPick[p.perm[1]]);
  const auto pick2 = hn::LoadDup128(d8, kPick[p.perm[2]]);
  const auto s0 = hn::Set(df, p.ch_scale[0]), s1 = hn::Set(df, p.ch_scale[1]),
             s2 = hn::Set(df, p.ch_scale[2]);
  const auto b0 = hn::Set(df, p.ch_bias[0]), b1 = hn::Set(df, p.ch_bias[1]),
             b2 = hn::Set(df, p.ch_bias[2]);
  uint8_t* HWY_RESTRICT out0 = outs[0];  // locals: the stores cannot alias them
  uint8_t* HWY_RESTRICT out1 = outs[1];
  uint8_t* HWY_RESTRICT out2 = outs[2];
  const auto block = [&](const uint8_t* HWY_RESTRICT px, size_t x) HWY_ATTR {
    auto bytes = hn::LoadU(d8, px);  // 4N bytes, 3N used
    if (N > 4) bytes = hn::BitCast(d8, hn::TableLookupLanes(hn::BitCast(di, bytes), spread));
    const auto c0 = hn::ConvertTo(df, hn::BitCast(di, hn::TableLookupBytesOr0(bytes, pick0)));
    const auto c1 = hn::ConvertTo(df, hn::BitCast(di, hn::TableLookupBytesOr0(bytes, pick1)));
    const auto c2 = hn::ConvertTo(df, hn::BitCast(di, hn::TableLookupBytesOr0(bytes, pick2)));
    StoreOut<D>(df, hn::MulAdd(c0, s0, b0), out0, x);
    StoreOut<D>(df, hn::MulAdd(c1, s1, b1), out1, x);
    StoreOut<D>(df, hn::MulAdd(c2, s2, b2), out2, x);
  };
  size_t x = 0;
  for (; x + N <= w && 3 * x + 4 * N <= avail; x += N) block(row + 3 * x, x);
  if (x < w) {  // the last (overlapping) vectors, from a copy so the 4N-byte load stays inside
    HWY_ALIGN uint8_t tail[4 * hn::MaxLanes(df)] = {};
    for (x = std::min(x, w - N);; x = std::min(x + N, w - N)) {
      std::memcpy(tail, row + 3 * x, 3 * N);
      block(tail, x);
      if (x + N >= w) break;
    }
  }
}
#endif

// CHW from u8 RGB, one lane at a time (the scalar target, or rows narrower than a vector).
template <NormDtype D>
void PlanarRowU8Lanes(const uint8_t* HWY_RESTRICT row, const Plan& p, uint8_t* const* outs) {
  for (size_t x = 0; x < size_t(p.out_w); ++x) {
    for (int c = 0; c < 3; ++c) {
      const float v = float(row[3 * x + p.perm[c]]) * p.ch_scale[c] + p.ch_bias[c];
      normalize_internal::StoreScalar(v, D, outs[c], x);
    }
  }
}

// RGB HWC straight from u8: out[j] = src[j] * scale[j] + bias[j] (the constants repeat every 3).
template <NormDtype D>
void HwcRowU8(const uint8_t* HWY_RESTRICT row, const Plan& p, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  const size_t len = p.seg_len;
  const float* HWY_RESTRICT scale = p.scale.data();
  const float* HWY_RESTRICT bias = p.bias.data();
  HWY_DASSERT(len >= N);
  for (size_t j = 0; j < len; j += N) {
    if (j + N > len) j = len - N;
    const auto v = hn::MulAdd(LoadAsFloat(df, row + j), hn::LoadU(df, scale + j),
                              hn::LoadU(df, bias + j));
    StoreOut<D>(df, v, out, j);
  }
}

template <NormDtype D>
void PadSegment(const Plan& p, int s, uint8_t* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const size_t N = hn::Lanes(df);
  const size_t len = p.seg_len;
  if (p.pad_row.empty()) {  // a plan without per-sample tables: CHW (Plan::pixel_h)
    HWY_DASSERT(p.chw);
    for (size_t j = 0; j < len; ++j) normalize_internal::StoreScalar(p.ch_pad[s], D, out, j);
    return;
  }
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

// The float row, kept per thread across calls (a stream calls this once per image).
inline float* RowScratch(size_t floats) {
  static thread_local hwy::AlignedFreeUniquePtr<float[]> row;
  static thread_local size_t capacity = 0;
  if (floats > capacity) {
    row = hwy::AllocateAligned<float>(floats);
    std::fill(row.get(), row.get() + floats, 0.0f);  // the slack is read by overlapping loads
    capacity = floats;
  }
  return row.get();
}

template <typename T, NormDtype D>
void NormalizeRows(const Plan& p, const uint8_t* src_bytes, uint8_t* out) {
  const hn::ScalableTag<float> df;
  const T* src = reinterpret_cast<const T*>(src_bytes);
  const size_t esize = NormDtypeSize(D);
  const size_t src_len = size_t(p.src_w) * p.src_c;
  const size_t row_len = size_t(p.xw) * p.src_c;
  float* row = nullptr;  // allocated on the first row that needs it
  const T* rows[64];     // vertical taps of one output row (a larger count falls back to a vector)
  std::vector<const T*> rows_big;
  const T** taps = rows;
  if (p.y_taps > 64) {
    rows_big.resize(size_t(p.y_taps));
    taps = rows_big.data();
  }
  const size_t plane = size_t(p.out_w) * p.out_h;
  const bool planar = p.fast_planar && size_t(p.out_w) >= hn::Lanes(df);
  const bool direct = std::is_same_v<T, uint8_t> && p.direct_u8;
  const bool direct_vec = direct && size_t(p.out_w) >= hn::Lanes(df) && HWY_TARGET != HWY_SCALAR;
  HWY_DASSERT(p.tables || direct || p.pixel_h);
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
    if constexpr (std::is_same_v<T, uint8_t>) {
      if (direct && n == 1 && p.y_w[size_t(y) * p.y_taps] == 1.0f) {
        const size_t at = size_t(p.y_start[y]) * src_len;
        const uint8_t* src_row = src + at;
        if (!p.chw && direct_vec) {
          HwcRowU8<D>(src_row, p, seg_out[0]);
        } else if (!p.chw) {
          for (size_t j = 0; j < p.seg_len; ++j) {
            normalize_internal::StoreScalar(float(src_row[j]) * p.scale[j] + p.bias[j], D,
                                            seg_out[0], j);
          }
        } else {
#if HWY_TARGET != HWY_SCALAR
          if (direct_vec) {
            PlanarRowU8<D>(src_row, size_t(p.src_h) * src_len - at, p, seg_out);
            continue;
          }
#endif
          PlanarRowU8Lanes<D>(src_row, p, seg_out);
        }
        continue;
      }
    }
    if (row == nullptr) row = RowScratch(row_len + normalize_internal::kRowSlack);
    for (int k = 0; k < n; ++k) taps[k] = src + size_t(p.y_start[y] + k) * src_len + size_t(p.xlo) * p.src_c;
    VerticalRow(taps, p.y_w.data() + size_t(y) * p.y_taps, n, row_len, row);
    if (planar) {
      PlanarRow<D>(row, p, seg_out);
    } else if (p.pixel_h) {
#if HWY_TARGET != HWY_SCALAR
      PixelRowCHW<D>(row, p, seg_out);
#else
      PixelRowCHWLanes<D>(row, p, seg_out);
#endif
    } else {
      for (int s = 0; s < p.segments; ++s) HorizontalSegment<D>(row, p, s, seg_out[s]);
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

// Taps of one axis, flat (one allocation per array rather than one per output position):
// output position o reads `count[o]` source pixels from `start[o]` with weights
// w[first[o] .. first[o] + count[o]); count 0 is the letterbox pad.
struct AxisTaps {
  std::vector<int32_t> start, count, first;
  std::vector<double> w;
  int max_taps = 0;
};

// Taps for output positions [0, out) of one axis: positions inside [inner, inner + inner_len)
// show resized pixel (o - inner + crop) of a source of `src` pixels resized to `resized`.
void MakeAxisTaps(int src, int resized, int crop, int inner, int inner_len, int out,
                  NormFilter filter, AxisTaps& t) {
  t.start.assign(out, 0);
  t.count.assign(out, 0);
  t.first.assign(out, 0);
  t.w.clear();
  t.max_taps = 0;
  const bool area = filter == NormFilter::kArea || (filter == NormFilter::kAuto && resized <= src);
  for (int o = inner; o < inner + inner_len; ++o) {
    const int r = o - inner + crop;
    const size_t first = t.w.size();
    t.first[o] = int32_t(first);
    if (resized == src) {
      t.start[o] = r;
      t.w.push_back(1.0);
    } else if (area) {
      const double scale = double(src) / resized;
      const double lo = double(r) * src / resized, hi = double(r + 1) * src / resized;
      int start = -1;
      for (int i = std::max(0, int(std::floor(lo))); i < src && i < hi; ++i) {
        const double overlap = std::min(hi, i + 1.0) - std::max(lo, double(i));
        if (overlap <= 1e-9 * scale) {
          if (start < 0) continue;
          break;
        }
        if (start < 0) start = i;
        t.w.push_back(overlap);
      }
      double sum = 0;
      for (size_t k = first; k < t.w.size(); ++k) sum += t.w[k];
      for (size_t k = first; k < t.w.size(); ++k) t.w[k] /= sum;
      t.start[o] = start;
    } else {
      const double pos = std::clamp((r + 0.5) * src / resized - 0.5, 0.0, double(src - 1));
      const int i0 = int(std::floor(pos));
      const double frac = pos - i0;
      t.start[o] = i0;
      t.w.push_back(1.0 - frac);
      if (i0 + 1 < src && frac > 0) t.w.push_back(frac);
    }
    t.count[o] = int32_t(t.w.size() - first);
    t.max_taps = std::max(t.max_taps, int(t.count[o]));
  }
}

// Everything a plan depends on, so a call with the same inputs as the previous one on this
// thread (a stream of same-sized frames) reuses the plan instead of rebuilding it.
using PlanKey = std::array<double, 30>;

PlanKey KeyOf(const Image& src, const NormSpec& spec, const NormGeometry& g) {
  return {double(src.width), double(src.height), double(src.channels), double(int(src.type)),
          double(int(spec.resize)), double(spec.width), double(spec.height),
          double(int(spec.filter)), double(spec.bgr), double(spec.chw), double(int(spec.dtype)),
          spec.mean[0], spec.mean[1], spec.mean[2], spec.std[0], spec.std[1], spec.std[2],
          spec.pad, double(g.out_w), double(g.out_h), double(g.resized_w), double(g.resized_h),
          double(g.crop_x), double(g.crop_y), double(g.inner_x), double(g.inner_y),
          double(g.inner_w), double(g.inner_h), double(g.src_w), double(g.src_h)};
}

// Fills `p` (reusing its vectors' capacity).
void MakePlan(const Image& src, const NormSpec& spec, const NormGeometry& g, Plan& p) {
  static thread_local AxisTaps ty, tx;
  p.src_w = src.width;
  p.src_h = src.height;
  p.src_c = src.channels;
  p.out_w = g.out_w;
  p.out_h = g.out_h;
  p.chw = spec.chw;
  p.dtype = spec.dtype;

  MakeAxisTaps(src.height, g.resized_h, g.crop_y, g.inner_y, g.inner_h, g.out_h, spec.filter, ty);
  MakeAxisTaps(src.width, g.resized_w, g.crop_x, g.inner_x, g.inner_w, g.out_w, spec.filter, tx);

  p.y_taps = ty.max_taps;
  p.y_start.assign(g.out_h, 0);
  p.y_count.assign(g.out_h, 0);
  p.y_w.assign(size_t(g.out_h) * std::max(p.y_taps, 1), 0.0f);
  bool y_identity = true;  // every row one tap of weight 1
  for (int y = 0; y < g.out_h; ++y) {
    p.y_start[y] = ty.start[y];
    p.y_count[y] = ty.count[y];
    for (int k = 0; k < ty.count[y]; ++k)
      p.y_w[size_t(y) * p.y_taps + k] = float(ty.w[size_t(ty.first[y]) + k]);
    y_identity = y_identity && ty.count[y] == 1 && p.y_w[size_t(y) * p.y_taps] == 1.0f;
  }

  int xlo = src.width, xhi = 0, taps = 1;
  for (int x = 0; x < g.out_w; ++x) {
    if (tx.count[x] == 0) continue;
    xlo = std::min(xlo, int(tx.start[x]));
    xhi = std::max(xhi, int(tx.start[x] + tx.count[x]));
    taps = std::max(taps, int(tx.count[x]));
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

  const bool x_identity = g.inner_w == g.out_w && g.resized_w == src.width && g.crop_x == 0 &&
                          g.out_w == src.width;
  p.fast_hwc = p.fast_planar = p.direct_u8 = false;
  if (x_identity && src.channels == 3) {
    p.fast_hwc = !spec.chw && !spec.bgr;
    p.fast_planar = spec.chw;
    p.direct_u8 = src.type == SampleType::kU8 && (p.fast_hwc || p.fast_planar);
  }
  // Per-pixel horizontal pass: CHW from RGB(A) with horizontal resampling (see Plan::pixel_h).
  constexpr int G = normalize_internal::kPixelGroup;
  p.pixel_h = spec.chw && !x_identity && (src.channels == 3 || src.channels == 4) &&
              g.inner_w >= G;
  p.px_group_x.clear();
  p.px_off.clear();
  p.px_w.clear();
  for (int c = 0; c < 3; ++c) p.ch_pad[c] = float(pad_sample * ch_scale[c] + ch_bias[c]);
  if (p.pixel_h) {
    for (int x = g.inner_x;; x += G) {
      p.px_group_x.push_back(std::min(x, g.inner_x + g.inner_w - G));
      if (x + G >= g.inner_x + g.inner_w) break;
    }
    p.px_off.assign(g.out_w, 0);
    p.px_w.assign(p.px_group_x.size() * p.h_taps * 4 * G, 0.0f);
    for (int x = g.inner_x; x < g.inner_x + g.inner_w; ++x) {
      // Shift the window inward at the right edge so every pixel has exactly h_taps taps.
      const int start = std::min(int(tx.start[x]), xhi - p.h_taps);
      p.px_off[x] = (start - xlo) * p.src_c;
    }
    for (size_t gi = 0; gi < p.px_group_x.size(); ++gi) {
      for (int q = 0; q < G; ++q) {  // pixel px_group_x[gi] + q = + 4 * b + i
        const int x = p.px_group_x[gi] + q, b = q / 4, i = q % 4;
        const int shift = tx.start[x] - std::min(int(tx.start[x]), xhi - p.h_taps);
        for (int k = 0; k < tx.count[x]; ++k) {
          const float w = float(tx.w[size_t(tx.first[x]) + k]);
          float* at = &p.px_w[((gi * p.h_taps + size_t(k + shift)) * 4 + i) * G + 4 * b];
          std::fill(at, at + 4, w);
        }
      }
    }
  }

  // Rows that all go direct, or through the per-pixel pass, need none of the per-sample gather
  // tables (a plan miss then costs no more than the axis taps: frames of mixed sizes miss
  // on every frame).
  p.tables = !(p.direct_u8 && y_identity && g.out_w >= normalize_internal::kDirectMinWidth) &&
             !p.pixel_h;

  p.segments = spec.chw ? 3 : 1;
  p.seg_len = spec.chw ? size_t(g.out_w) : size_t(g.out_w) * 3;
  const size_t total = p.seg_len * p.segments;
  if (p.pixel_h) {
    p.scale.clear();
    p.bias.clear();
    p.idx.clear();
    p.hw.clear();
    p.pad_row.clear();
    return;
  }
  p.scale.resize(total);
  p.bias.resize(total);
  if (!p.tables) {
    for (size_t at = 0, c = 0; at < total; ++at) {  // c: the channel of element `at`
      if (spec.chw) c = at < p.seg_len ? 0 : at < 2 * p.seg_len ? 1 : 2;
      p.scale[at] = float(ch_scale[c]);
      p.bias[at] = float(ch_bias[c]);
      if (!spec.chw) c = c == 2 ? 0 : c + 1;
    }
    p.idx.clear();
    p.hw.clear();
    p.pad_row.clear();
    return;
  }
  p.idx.assign(total, 0);
  p.hw.assign(total * p.h_taps, 0.0f);
  p.pad_row.assign(total, 0.0f);
  for (int s = 0; s < p.segments; ++s) {
    for (size_t j = 0; j < p.seg_len; ++j) {
      const int x = spec.chw ? int(j) : int(j / 3);
      const int c = spec.chw ? s : int(j % 3);
      const size_t at = size_t(s) * p.seg_len + j;
      const double pad_out = pad_sample * ch_scale[c] + ch_bias[c];
      p.scale[at] = float(ch_scale[c]);
      p.pad_row[at] = float(pad_out);
      if (tx.count[x] == 0) {
        p.bias[at] = float(pad_out);  // zero weights: the letterbox border
        continue;
      }
      p.bias[at] = float(ch_bias[c]);
      // Shift the window inward at the right edge so every lane has exactly h_taps taps.
      const int start = std::min(int(tx.start[x]), xhi - p.h_taps);
      const int shift = tx.start[x] - start;
      p.idx[at] = (start - xlo) * p.src_c + src_ch[c];
      for (int k = 0; k < tx.count[x]; ++k) {
        p.hw[(size_t(s) * p.h_taps + k + shift) * p.seg_len + j] =
            float(tx.w[size_t(tx.first[x]) + k]);
      }
    }
  }
}

}  // namespace

void NormalizeImage(const Image& src, const NormSpec& spec, const NormGeometry& g, uint8_t* out) {
  static thread_local Plan plan;
  static thread_local PlanKey key;
  static thread_local bool have_plan = false;
  const PlanKey k = KeyOf(src, spec, g);
  if (!have_plan || k != key) {
    have_plan = false;  // stays false if MakePlan throws (bad_alloc)
    MakePlan(src, spec, g, plan);
    key = k;
    have_plan = true;
  }
  if (src.type == SampleType::kU8) {
    HWY_DYNAMIC_DISPATCH(NormalizeU8)(plan, src.data.data(), out);
  } else {
    HWY_DYNAMIC_DISPATCH(NormalizeU16)(plan, src.data.data(), out);
  }
}

}  // namespace imgpipe
#endif  // HWY_ONCE
