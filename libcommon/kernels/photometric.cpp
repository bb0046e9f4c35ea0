// Photometric kernels: SIMD (Highway) saturation, hue and Gaussian blur; table-driven scalar rest.
//
// The SIMD kernels use the same float operations in the same order as photometric_reference.cpp
// (Mul and Add kept separate, no FMA), so every target gives the reference's bytes exactly.

// GCC contracts a * b + c into an FMA where the target has one (its default is
// -ffp-contract=fast even in ISO C++ mode); that would make AVX2 round differently from SSE4
// and from the scalar reference, so the result would depend on the machine. Keep them apart.
#pragma GCC optimize("fp-contract=off")

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "libcommon/kernels/photometric.cpp"
#include "libcommon/kernels/photometric.h"

#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "libcommon/kernels/photometric_reference.h"
#include "libcommon/random.h"

// Types shared by every target's code (this file is compiled once per target).
#ifndef IMGPIPE_PHOTOMETRIC_SHARED_TYPES
#define IMGPIPE_PHOTOMETRIC_SHARED_TYPES
namespace imgpipe::photometric_detail {
// A hue shift of 6 * shift sextants = n6 whole ones (mod 6) + phi / 65536 of one.
struct HueShift {
  uint16_t n6;
  uint16_t phi;
};
struct PreparedStep {
  ColorStep::Kind kind;
  const uint8_t* lut;
  float factor;
  HueShift hue;
};
}  // namespace imgpipe::photometric_detail
#endif

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using photometric_detail::HueShift;
using photometric_detail::PreparedStep;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using D8 = hn::Rebind<uint8_t, DF>;

HWY_INLINE hn::Vec<DF> U8ToF(hn::Vec<D8> v) { return hn::ConvertTo(DF(), hn::PromoteTo(DI(), v)); }
HWY_INLINE hn::Vec<D8> FToU8(hn::Vec<DF> v) {
  const DF df;
  v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
  return hn::DemoteTo(D8(), hn::ConvertTo(DI(), hn::Add(v, hn::Set(df, 0.5f))));
}

// --- the fused colour pass ---------------------------------------------------------------------
// A chunk of pixels is split into planes (R, G, B, and A to carry it back), every step runs over
// the planes, and the chunk is interleaved back: one LoadInterleaved/StoreInterleaved per chunk
// instead of one per step, and full vectors throughout (the planes are padded to whole vectors).
constexpr size_t kChunk = 1024;  // pixels; 4 planes of 1 KiB stay in L1

// Pad lanes of the planes hold zeros before the first step, and whatever the steps make of them
// after: they are never written back or summed.
struct Planes {
  uint8_t* p[4];
  size_t n;       // valid pixels
  size_t n_pad;   // rounded up to whole u8 vectors
};

void LutPlanes(const Planes& pl, const uint8_t* HWY_RESTRICT lut) {
  // Scalar look-ups: on this AVX2 machine 16 x (TableLookupBytesOr0 + saturating add + sub + or)
  // per vector measured 1.5x slower than these (bench/aug_bench BM_Jitter*).
  for (int c = 0; c < 3; ++c) {
    uint8_t* HWY_RESTRICT q = pl.p[c];
    size_t i = 0;
    for (; i + 4 <= pl.n; i += 4) {
      const uint8_t a = lut[q[i]], b = lut[q[i + 1]], d = lut[q[i + 2]], e = lut[q[i + 3]];
      q[i] = a, q[i + 1] = b, q[i + 2] = d, q[i + 3] = e;
    }
    for (; i < pl.n; ++i) q[i] = lut[q[i]];
  }
}

// Float, with the reference's operations in its order (bit-exact); 8-bit samples go to f32 lanes.
void SaturationPlanes(const Planes& pl, float factor) {
  const DF df;
  const D8 d8;
  const size_t N = hn::Lanes(df);
  const auto f = hn::Set(df, factor), g1 = hn::Set(df, 1.0f - factor);
  const auto kr = hn::Set(df, 0.299f), kg = hn::Set(df, 0.587f), kb = hn::Set(df, 0.114f);
  uint8_t* HWY_RESTRICT R = pl.p[0];
  uint8_t* HWY_RESTRICT G = pl.p[1];
  uint8_t* HWY_RESTRICT B = pl.p[2];
  for (size_t i = 0; i < pl.n_pad; i += N) {
    const auto r = U8ToF(hn::LoadU(d8, R + i)), g = U8ToF(hn::LoadU(d8, G + i)), b = U8ToF(hn::LoadU(d8, B + i));
    const auto luma = hn::Add(hn::Add(hn::Mul(kr, r), hn::Mul(kg, g)), hn::Mul(kb, b));
    const auto gl = hn::Mul(g1, luma);
    hn::StoreU(FToU8(hn::Add(hn::Mul(f, r), gl)), d8, R + i);
    hn::StoreU(FToU8(hn::Add(hn::Mul(f, g), gl)), d8, G + i);
    hn::StoreU(FToU8(hn::Add(hn::Mul(f, b), gl)), d8, B + i);
  }
}

// Hue in u16 lanes, no divide and no branch. With mx, mn the extremes and cr = mx - mn, HSV's
// sextant position times cr is an integer H = sextant * cr + h0 (0 <= h0 <= cr); the shift adds
// 6 shift cr = (n + phi) cr. The new sextant is sextant + n (+1 when h0 + phi cr >= cr) and the new
// in-sextant offset k + lo/65536 = h0 + phi cr (- cr), with phi cr = MulHigh:Mul of cr and phi in
// Q16. In the new sextant the three samples are mx, mn, and t = mn + offset (rising edge) or
// q = mx - offset (falling edge); HSV's p = v (1 - s) is exactly mn.
void HuePlanes(const Planes& pl, HueShift hs) {
  using D16 = hn::ScalableTag<uint16_t>;
  using DS16 = hn::RebindToSigned<D16>;
  using D8h = hn::Rebind<uint8_t, D16>;
  const D16 d16;
  const DS16 ds16;
  const D8h d8;
  const size_t N = hn::Lanes(d16);
  const auto phi = hn::Set(d16, hs.phi), n6 = hn::Set(d16, uint16_t(hs.n6 + 6));
  const auto k1 = hn::Set(d16, 1), k2 = hn::Set(d16, 2), k3 = hn::Set(d16, 3), k4 = hn::Set(d16, 4),
             k5 = hn::Set(d16, 5), six = hn::Set(d16, 6), twelve = hn::Set(d16, 12), half = hn::Set(d16, 32768);
  const auto one = k1;
  // Every value compared is < 32768, so signed compares serve (Highway 1.0 has no unsigned >=).
  const auto ge = [&](hn::Vec<D16> a, hn::Vec<D16> b) {
    return hn::RebindMask(d16, hn::Not(hn::Lt(hn::BitCast(ds16, a), hn::BitCast(ds16, b))));
  };
  const auto to_u8 = [&](hn::Vec<D16> v) { return hn::DemoteTo(d8, hn::BitCast(ds16, v)); };
  uint8_t* HWY_RESTRICT R = pl.p[0];
  uint8_t* HWY_RESTRICT G = pl.p[1];
  uint8_t* HWY_RESTRICT B = pl.p[2];
  for (size_t i = 0; i < pl.n_pad; i += N) {
    const auto r = hn::PromoteTo(d16, hn::LoadU(d8, R + i)), g = hn::PromoteTo(d16, hn::LoadU(d8, G + i)),
               b = hn::PromoteTo(d16, hn::LoadU(d8, B + i));
    const auto mx = hn::Max(hn::Max(r, g), b), mn = hn::Min(hn::Min(r, g), b);
    const auto cr = hn::Sub(mx, mn);
    // torchvision's order of precedence: max == r, else max == g, else b.
    const auto is_r = hn::Eq(mx, r), is_g = hn::AndNot(is_r, hn::Eq(mx, g));
    const auto d = hn::IfThenElse(is_r, hn::Sub(g, b), hn::IfThenElse(is_g, hn::Sub(b, r), hn::Sub(r, g)));
    const auto base = hn::IfThenElse(is_r, hn::Zero(d16), hn::IfThenElse(is_g, k2, k4));
    const auto neg = hn::RebindMask(d16, hn::Lt(hn::BitCast(ds16, d), hn::Zero(ds16)));
    const auto h0 = hn::Add(d, hn::IfThenElseZero(neg, cr));  // 0..cr
    const auto fhi = hn::MulHigh(cr, phi), lo = hn::Mul(cr, phi);
    auto k = hn::Add(h0, fhi);
    const auto carry = ge(k, cr);  // (k + lo/65536 >= cr exactly when k >= cr: both integers)
    k = hn::IfThenElse(carry, hn::Sub(k, cr), k);
    // sextant + 6 + n - neg + carry, in 5..17, brought into 0..5.
    auto sec = hn::Sub(hn::Add(hn::Add(base, n6), hn::IfThenElseZero(carry, one)), hn::IfThenElseZero(neg, one));
    sec = hn::IfThenElse(ge(sec, twelve), hn::Sub(sec, twelve), sec);
    sec = hn::IfThenElse(ge(sec, six), hn::Sub(sec, six), sec);
    const auto t = hn::Add(hn::Add(mn, k), hn::ShiftRight<15>(lo));           // ties up
    const auto q = hn::Sub(hn::Sub(mx, k), hn::IfThenElseZero(hn::Gt(lo, half), one));
    const auto s1 = hn::Eq(sec, k1), s2 = hn::Eq(sec, k2), s3 = hn::Eq(sec, k3), s4 = hn::Eq(sec, k4),
               s5 = hn::Eq(sec, k5), s0 = hn::Eq(sec, hn::Zero(d16));
    // sextant:  0  1  2  3  4  5
    //   R       v  q  p  p  t  v
    //   G       t  v  v  q  p  p
    //   B       p  p  t  v  v  q
    const auto ro = hn::IfThenElse(s1, q, hn::IfThenElse(s4, t, hn::IfThenElse(hn::Or(s2, s3), mn, mx)));
    const auto go = hn::IfThenElse(s0, t, hn::IfThenElse(s3, q, hn::IfThenElse(hn::Or(s1, s2), mx, mn)));
    const auto bo = hn::IfThenElse(s2, t, hn::IfThenElse(s5, q, hn::IfThenElse(hn::Or(s3, s4), mx, mn)));
    hn::StoreU(to_u8(ro), d8, R + i);
    hn::StoreU(to_u8(go), d8, G + i);
    hn::StoreU(to_u8(bo), d8, B + i);
  }
}

// Sum of the first n samples of a plane.
uint64_t PlaneSum(const uint8_t* HWY_RESTRICT p, size_t n) {
  const hn::ScalableTag<uint8_t> d8;
  const hn::Repartition<uint64_t, decltype(d8)> d64;
  const size_t N = hn::Lanes(d8);
  auto acc = hn::Zero(d64);
  size_t i = 0;
  for (; i + N <= n; i += N) acc = hn::Add(acc, hn::SumsOf8(hn::LoadU(d8, p + i)));
  uint64_t s = hn::GetLane(hn::SumOfLanes(d64, acc));
  for (; i < n; ++i) s += p[i];
  return s;
}

// Per channel sums of n interleaved 3- or 4-channel pixels (the first 3 channels).
void InterleavedSums(const uint8_t* HWY_RESTRICT p, size_t n, int C, uint64_t* sums) {
  const hn::ScalableTag<uint8_t> d8;
  const hn::Repartition<uint64_t, decltype(d8)> d64;
  const size_t N = hn::Lanes(d8);
  auto sr = hn::Zero(d64), sg = sr, sb = sr;
  size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::Vec<decltype(d8)> r, g, b, a;
    if (C == 3) hn::LoadInterleaved3(d8, p + i * 3, r, g, b);
    else hn::LoadInterleaved4(d8, p + i * 4, r, g, b, a);
    sr = hn::Add(sr, hn::SumsOf8(r)), sg = hn::Add(sg, hn::SumsOf8(g)), sb = hn::Add(sb, hn::SumsOf8(b));
  }
  sums[0] = hn::GetLane(hn::SumOfLanes(d64, sr));
  sums[1] = hn::GetLane(hn::SumOfLanes(d64, sg));
  sums[2] = hn::GetLane(hn::SumOfLanes(d64, sb));
  for (; i < n; ++i)
    for (int c = 0; c < 3; ++c) sums[c] += p[i * C + c];
}

void ColorSteps(Image& img, const PreparedStep* steps, size_t count, uint64_t* sums) {
  const hn::ScalableTag<uint8_t> d8;
  const size_t N = hn::Lanes(d8);
  const int C = img.channels;
  const size_t n = size_t(img.width) * img.height;
  uint8_t* px = img.data.data();
  HWY_ALIGN uint8_t buf[4][kChunk];
  Planes pl{{buf[0], buf[1], buf[2], buf[3]}, 0, 0};
  for (size_t start = 0; start < n; start += kChunk) {
    const size_t m = std::min(kChunk, n - start), m_pad = (m + N - 1) / N * N;
    uint8_t* src = px + start * C;
    size_t i = 0;
    for (; i + N <= m; i += N) {
      hn::Vec<decltype(d8)> r, g, b, a;
      if (C == 3) {
        hn::LoadInterleaved3(d8, src + i * 3, r, g, b);
      } else {
        hn::LoadInterleaved4(d8, src + i * 4, r, g, b, a);
        hn::Store(a, d8, buf[3] + i);
      }
      hn::Store(r, d8, buf[0] + i), hn::Store(g, d8, buf[1] + i), hn::Store(b, d8, buf[2] + i);
    }
    const size_t full = i;
    for (; i < m_pad; ++i)
      for (int c = 0; c < C; ++c) buf[c][i] = i < m ? src[i * C + c] : 0;
    pl.n = m, pl.n_pad = m_pad;
    for (size_t s = 0; s < count; ++s) {
      const PreparedStep& st = steps[s];
      if (st.kind == ColorStep::kLut) LutPlanes(pl, st.lut);
      else if (st.kind == ColorStep::kSaturation) SaturationPlanes(pl, st.factor);
      else HuePlanes(pl, st.hue);
    }
    if (sums)
      for (int c = 0; c < 3; ++c) sums[c] += PlaneSum(buf[c], m);
    for (i = 0; i < full; i += N) {
      const auto r = hn::Load(d8, buf[0] + i), g = hn::Load(d8, buf[1] + i), b = hn::Load(d8, buf[2] + i);
      if (C == 3) hn::StoreInterleaved3(r, g, b, d8, src + i * 3);
      else hn::StoreInterleaved4(r, g, b, hn::Load(d8, buf[3] + i), d8, src + i * 4);
    }
    for (; i < m; ++i)
      for (int c = 0; c < 3; ++c) src[i * C + c] = buf[c][i];
  }
}

// out[j] = sum_t k[t] * in[j + t * step], j < len (in holds len + 2 r step floats).
void Convolve(const float* HWY_RESTRICT in, const float* k, int taps, size_t step, size_t len,
              float* HWY_RESTRICT out) {
  const DF df;
  const size_t N = hn::Lanes(df);
  size_t j = 0;
  for (; j + N <= len; j += N) {
    auto acc = hn::Mul(hn::Set(df, k[0]), hn::LoadU(df, in + j));
    for (int t = 1; t < taps; ++t) acc = hn::Add(acc, hn::Mul(hn::Set(df, k[t]), hn::LoadU(df, in + j + t * step)));
    hn::StoreU(acc, df, out + j);
  }
  for (; j < len; ++j) {
    float acc = k[0] * in[j];
    for (int t = 1; t < taps; ++t) acc = acc + k[t] * in[j + t * step];
    out[j] = acc;
  }
}

void Blur(Image& img, float sigma) {
  const std::vector<float> k = GaussianKernel(sigma);
  const int taps = int(k.size()), r = taps / 2;
  const int W = img.width, H = img.height, C = img.channels;
  const size_t len = size_t(W) * C;
  auto reflect = [](int i, int n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
    return i;
  };
  // Vertical pass: column taps are whole rows; converted to float once per output row.
  std::vector<float> src_f(size_t(H) * len);
  for (size_t i = 0; i < src_f.size(); ++i) src_f[i] = float(img.data[i]);
  std::vector<float> padded((size_t(W) + 2 * r) * C);
  std::vector<float> vrow(len), hrow(len);
  const DF df;
  const size_t N = hn::Lanes(df);
  const int cc = C >= 3 ? 3 : 1;
  for (int y = 0; y < H; ++y) {
    // Vertical: vrow = sum_t k[t] * row(y - r + t)
    size_t j = 0;
    for (; j + N <= len; j += N) {
      auto acc = hn::Mul(hn::Set(df, k[0]), hn::LoadU(df, &src_f[size_t(reflect(y - r, H)) * len + j]));
      for (int t = 1; t < taps; ++t)
        acc = hn::Add(acc, hn::Mul(hn::Set(df, k[t]), hn::LoadU(df, &src_f[size_t(reflect(y - r + t, H)) * len + j])));
      hn::StoreU(acc, df, &vrow[j]);
    }
    for (; j < len; ++j) {
      float acc = k[0] * src_f[size_t(reflect(y - r, H)) * len + j];
      for (int t = 1; t < taps; ++t) acc = acc + k[t] * src_f[size_t(reflect(y - r + t, H)) * len + j];
      vrow[j] = acc;
    }
    // Horizontal: pad by reflection, then a stride-C 1-D convolution over samples.
    for (int x = -r; x < W + r; ++x)
      std::memcpy(&padded[size_t(x + r) * C], &vrow[size_t(reflect(x, W)) * C], C * sizeof(float));
    Convolve(padded.data(), k.data(), taps, C, len, hrow.data());
    uint8_t* out = img.data.data() + size_t(y) * len;
    if (cc == C) {
      const D8 d8;
      size_t i = 0;
      for (; i + N <= len; i += N) hn::StoreU(FToU8(hn::LoadU(df, &hrow[i])), d8, out + i);
      for (; i < len; ++i) out[i] = uint8_t(int(std::min(std::max(hrow[i], 0.0f), 255.0f) + 0.5f));
    } else {
      for (int x = 0; x < W; ++x)
        for (int ch = 0; ch < cc; ++ch) {
          const float v = hrow[size_t(x) * C + ch];
          out[size_t(x) * C + ch] = uint8_t(int(std::min(std::max(v, 0.0f), 255.0f) + 0.5f));
        }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace imgpipe
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace imgpipe {
HWY_EXPORT(ColorSteps);
HWY_EXPORT(PlaneSum);
HWY_EXPORT(InterleavedSums);
HWY_EXPORT(Blur);

namespace {
photometric_detail::HueShift MakeHueShift(float shift) {
  // 6 shift sextants = n whole ones + phi / 65536 of one (phi rounded to nearest).
  const double s = 6.0 * double(shift);
  double n = std::floor(s);
  double phi = std::nearbyint((s - n) * 65536.0);
  if (phi >= 65536) phi = 0, n += 1;
  const int n6 = ((int(n) % 6) + 6) % 6;
  return {uint16_t(n6), uint16_t(phi)};
}
}  // namespace

void ApplyColorSteps(Image& img, const std::vector<ColorStep>& steps, std::array<uint64_t, 3>* sums) {
  const int C = img.channels, cc = ColorChannels(C);
  if (sums) sums->fill(0);
  if (img.data.empty()) return;
  if (cc == 1 || C > 4) {
    // Gray (saturation and hue leave it as it is): the tables compose into one.
    Lut lut;
    for (int v = 0; v < 256; ++v) lut[v] = uint8_t(v);
    for (const ColorStep& st : steps)
      if (st.kind == ColorStep::kLut)
        for (int v = 0; v < 256; ++v) lut[v] = st.lut[lut[v]];
    if (C > 4) {  // not an image layout img-aug makes; kept correct, not fast
      for (const ColorStep& st : steps) {
        if (st.kind == ColorStep::kLut) ApplyLut(img, st.lut);
        else if (st.kind == ColorStep::kSaturation) AdjustSaturationReference(img, st.value);
        else AdjustHueReference(img, st.value);
      }
      if (sums) ColorSums(img, sums);
      return;
    }
    ApplyLut(img, lut);
    if (sums) ColorSums(img, sums);
    return;
  }
  std::vector<photometric_detail::PreparedStep> prepared;
  prepared.reserve(steps.size());
  for (const ColorStep& st : steps) {
    photometric_detail::PreparedStep p{st.kind, st.lut.data(), st.value, {0, 0}};
    if (st.kind == ColorStep::kHue) {
      p.hue = MakeHueShift(st.value);
      if (p.hue.n6 == 0 && p.hue.phi == 0) continue;  // exactly the identity
    }
    prepared.push_back(p);
  }
  if (prepared.empty()) {
    if (sums) ColorSums(img, sums);
    return;
  }
  HWY_DYNAMIC_DISPATCH(ColorSteps)(img, prepared.data(), prepared.size(), sums ? sums->data() : nullptr);
}

void AdjustSaturation(Image& img, float factor) {
  if (img.channels < 3 || img.data.empty()) return;
  ColorStep st;
  st.kind = ColorStep::kSaturation;
  st.value = factor;
  ApplyColorSteps(img, {st});
}
void AdjustHue(Image& img, float shift) {
  if (img.channels < 3 || img.data.empty()) return;
  ColorStep st;
  st.kind = ColorStep::kHue;
  st.value = shift;
  ApplyColorSteps(img, {st});
}
void GaussianBlur(Image& img, float sigma) {
  if (img.data.empty() || !(sigma > 0)) return;
  HWY_DYNAMIC_DISPATCH(Blur)(img, sigma);
}

void ColorSums(const Image& img, std::array<uint64_t, 3>* sums) {
  sums->fill(0);
  const int C = img.channels, cc = ColorChannels(C);
  if (C == 1) {
    (*sums)[0] = HWY_DYNAMIC_DISPATCH(PlaneSum)(img.data.data(), img.data.size());
    return;
  }
  if (C == 3 || C == 4) {
    HWY_DYNAMIC_DISPATCH(InterleavedSums)(img.data.data(), size_t(img.width) * img.height, C, sums->data());
    return;
  }
  const uint8_t* p = img.data.data();
  for (size_t i = 0; i < img.data.size(); i += C)
    for (int c = 0; c < cc; ++c) (*sums)[c] += p[i + c];
}

double MeanLumaOfSums(const std::array<uint64_t, 3>& sums, int color_channels, uint64_t pixels) {
  if (pixels == 0) return 0;
  double mean[3] = {0, 0, 0};
  for (int c = 0; c < color_channels; ++c) mean[c] = double(sums[c]) / double(pixels);
  if (color_channels == 1) return mean[0];
  return 0.299 * mean[0] + 0.587 * mean[1] + 0.114 * mean[2];
}

void ApplyLut(Image& img, const Lut& lut) {
  const int C = img.channels, cc = ColorChannels(C);
  uint8_t* p = img.data.data();
  const size_t n = img.data.size();
  if (cc == C) {
    for (size_t i = 0; i < n; ++i) p[i] = lut[p[i]];
    return;
  }
  for (size_t i = 0; i < n; i += C)
    for (int c = 0; c < cc; ++c) p[i + c] = lut[p[i + c]];
}

void ColorHistograms(const Image& img, std::array<std::array<uint64_t, 256>, 3>* hist) {
  for (auto& h : *hist) h.fill(0);
  const int C = img.channels, cc = ColorChannels(C);
  const uint8_t* p = img.data.data();
  const size_t n = size_t(img.width) * img.height;
  // Four partial histograms per channel (pixel i into copy i % 4): runs of equal values (flat
  // regions) would otherwise make every increment wait for the previous one to be stored.
  // u32 counts: flushed into the u64 totals every 2^30 pixels.
  std::vector<uint32_t> part(size_t(cc) * 4 * 256);
  auto flush = [&] {
    for (int c = 0; c < cc; ++c)
      for (int k = 0; k < 4; ++k)
        for (int v = 0; v < 256; ++v) (*hist)[c][v] += part[(size_t(c) * 4 + k) * 256 + v];
    std::fill(part.begin(), part.end(), 0u);
  };
  for (size_t start = 0; start < n; start += size_t(1) << 30) {
    const size_t end = std::min(n, start + (size_t(1) << 30));
    size_t i = start;
    if (cc == 3) {
      uint32_t* h = part.data();
      for (; i + 4 <= end; i += 4) {
        const uint8_t* q = p + i * C;
        for (int k = 0; k < 4; ++k)
          for (int c = 0; c < 3; ++c) ++h[(c * 4 + k) * 256 + q[k * C + c]];
      }
    }
    for (; i < end; ++i)
      for (int c = 0; c < cc; ++c) ++part[(size_t(c) * 4 + (i & 3)) * 256 + p[i * C + c]];
    flush();
  }
}

double MeanLumaAfterLut(const std::array<std::array<uint64_t, 256>, 3>& hist, int color_channels,
                        uint64_t pixels, const Lut& lut) {
  if (pixels == 0) return 0;
  double mean[3] = {0, 0, 0};
  for (int c = 0; c < color_channels; ++c) {
    double s = 0;
    for (int v = 0; v < 256; ++v) s += double(hist[c][v]) * lut[v];
    mean[c] = s / double(pixels);
  }
  if (color_channels == 1) return mean[0];
  return 0.299 * mean[0] + 0.587 * mean[1] + 0.114 * mean[2];
}

void Grayscale(Image& img) {
  if (img.channels < 3) return;
  const int C = img.channels;
  uint8_t* p = img.data.data();
  for (size_t i = 0; i < img.data.size(); i += C) {
    const uint32_t l = (19595u * p[i] + 38470u * p[i + 1] + 7471u * p[i + 2] + 32768u) >> 16;
    p[i] = p[i + 1] = p[i + 2] = uint8_t(l);
  }
}

void ChannelShuffle(Image& img, const int perm[3]) {
  if (img.channels < 3) return;
  const int C = img.channels;
  uint8_t* p = img.data.data();
  for (size_t i = 0; i < img.data.size(); i += C) {
    const uint8_t v[3] = {p[i], p[i + 1], p[i + 2]};
    p[i] = v[perm[0]], p[i + 1] = v[perm[1]], p[i + 2] = v[perm[2]];
  }
}

void Equalize(Image& img) {
  const int C = img.channels, cc = ColorChannels(C);
  std::array<std::array<uint64_t, 256>, 3> hist;
  ColorHistograms(img, &hist);
  for (int c = 0; c < cc; ++c) {
    // PIL: step = (n - count of the last non-empty bin) // 255; identity when step is 0.
    uint64_t total = 0, last = 0;
    for (int v = 0; v < 256; ++v) {
      total += hist[c][v];
      if (hist[c][v]) last = hist[c][v];
    }
    const uint64_t step = (total - last) / 255;
    if (step == 0) continue;
    Lut lut;
    uint64_t n = step / 2;
    for (int v = 0; v < 256; ++v) {
      lut[v] = uint8_t(std::min<uint64_t>(n / step, 255));
      n += hist[c][v];
    }
    uint8_t* p = img.data.data();
    for (size_t i = 0; i < img.data.size(); i += C) p[i + c] = lut[p[i + c]];
  }
}

namespace {
// Inverse normal CDF at the centres of 4096 equal-probability bins (Acklam's approximation).
const std::array<float, 4096>& NormalTable() {
  static const std::array<float, 4096> table = [] {
    std::array<float, 4096> t{};
    for (int i = 0; i < 4096; ++i) {
      const double p = (i + 0.5) / 4096.0;
      // Acklam's rational approximation, |error| < 1.2e-9.
      static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
      static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
      static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
      static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
      double x;
      if (p < 0.02425) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      } else if (p > 1 - 0.02425) {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      } else {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
      }
      t[i] = float(x);
    }
    return t;
  }();
  return table;
}
}  // namespace

void AddGaussianNoise(Image& img, float sigma, uint64_t seed, bool per_channel) {
  const auto& table = NormalTable();
  SplitMix64 gen{seed};
  const int C = img.channels, cc = ColorChannels(C);
  uint8_t* p = img.data.data();
  uint64_t bits = 0;
  int left = 0;
  auto next = [&]() {
    if (left == 0) bits = gen.Next(), left = 5;
    const uint32_t v = uint32_t(bits & 4095);
    bits >>= 12;
    --left;
    return table[v] * sigma;
  };
  for (size_t i = 0; i < img.data.size(); i += C) {
    float z = next();
    for (int c = 0; c < cc; ++c) {
      if (per_channel && c > 0) z = next();
      const float v = float(p[i + c]) + z;
      p[i + c] = uint8_t(int(std::min(std::max(v, 0.0f), 255.0f) + 0.5f));
    }
  }
}

void FillRect(Image& img, int x0, int y0, int x1, int y1, const uint8_t fill[4]) {
  x0 = std::max(x0, 0), y0 = std::max(y0, 0);
  x1 = std::min(x1, img.width), y1 = std::min(y1, img.height);
  const int C = img.channels;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) std::memcpy(&img.data[(size_t(y) * img.width + x) * C], fill, C);
}

}  // namespace imgpipe
#endif  // HWY_ONCE
