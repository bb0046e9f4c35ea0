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

HWY_BEFORE_NAMESPACE();
namespace imgpipe {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using D8 = hn::Rebind<uint8_t, DF>;

HWY_INLINE hn::Vec<DF> U8ToF(hn::Vec<D8> v) { return hn::ConvertTo(DF(), hn::PromoteTo(DI(), v)); }
HWY_INLINE hn::Vec<D8> FToU8(hn::Vec<DF> v) {
  const DF df;
  v = hn::Min(hn::Max(v, hn::Zero(df)), hn::Set(df, 255.0f));
  return hn::DemoteTo(D8(), hn::ConvertTo(DI(), hn::Add(v, hn::Set(df, 0.5f))));
}

// Runs fn(r, g, b) -> (r, g, b) over every pixel of a 3- or 4-channel image; the ragged end goes
// through a small buffer so the loop never reads or writes past the image.
template <class Fn>
HWY_INLINE void ForEachRgb(Image& img, const Fn& fn) {
  const D8 d8;
  const size_t N = hn::Lanes(d8);
  const size_t n = size_t(img.width) * img.height;
  uint8_t* p = img.data.data();
  const int C = img.channels;
  HWY_ALIGN uint8_t tail[4 * hn::MaxLanes(d8)] = {};
  for (size_t i = 0; i < n; i += N) {
    const size_t count = std::min(N, n - i);
    uint8_t* src = p + i * C;
    uint8_t* at = src;
    if (count < N) {
      std::memcpy(tail, src, count * C);
      at = tail;
    }
    hn::Vec<D8> r, g, b, a;
    if (C == 3) hn::LoadInterleaved3(d8, at, r, g, b);
    else hn::LoadInterleaved4(d8, at, r, g, b, a);
    hn::Vec<DF> fr = U8ToF(r), fg = U8ToF(g), fb = U8ToF(b);
    fn(fr, fg, fb);
    if (C == 3) hn::StoreInterleaved3(FToU8(fr), FToU8(fg), FToU8(fb), d8, at);
    else hn::StoreInterleaved4(FToU8(fr), FToU8(fg), FToU8(fb), a, d8, at);
    if (count < N) std::memcpy(src, tail, count * C);
  }
}

void Saturation(Image& img, float factor) {
  const DF df;
  const auto f = hn::Set(df, factor), g1 = hn::Set(df, 1.0f - factor);
  const auto kr = hn::Set(df, 0.299f), kg = hn::Set(df, 0.587f), kb = hn::Set(df, 0.114f);
  ForEachRgb(img, [&](hn::Vec<DF>& r, hn::Vec<DF>& g, hn::Vec<DF>& b) {
    const auto luma = hn::Add(hn::Add(hn::Mul(kr, r), hn::Mul(kg, g)), hn::Mul(kb, b));
    const auto gl = hn::Mul(g1, luma);
    r = hn::Add(hn::Mul(f, r), gl);
    g = hn::Add(hn::Mul(f, g), gl);
    b = hn::Add(hn::Mul(f, b), gl);
  });
}

void Hue(Image& img, float shift) {
  const DF df;
  const auto one = hn::Set(df, 1.0f), zero = hn::Zero(df), vmax = hn::Set(df, 255.0f);
  const auto six = hn::Set(df, 6.0f), sixth = hn::Set(df, 1.0f / 6.0f);
  const auto shift6 = hn::Set(df, 6.0f * shift);
  ForEachRgb(img, [&](hn::Vec<DF>& r, hn::Vec<DF>& g, hn::Vec<DF>& b) {
    const auto maxc = hn::Max(hn::Max(r, g), b), minc = hn::Min(hn::Min(r, g), b);
    const auto eqc = hn::Eq(maxc, minc);
    const auto cr = hn::Sub(maxc, minc);
    const auto s = hn::Div(cr, hn::IfThenElse(eqc, one, maxc));
    const auto div = hn::IfThenElse(eqc, one, cr);
    const auto rc = hn::Div(hn::Sub(maxc, r), div), gc = hn::Div(hn::Sub(maxc, g), div),
               bc = hn::Div(hn::Sub(maxc, b), div);
    auto h6 = hn::IfThenElse(hn::Eq(maxc, r), hn::Sub(bc, gc),
                             hn::IfThenElse(hn::Eq(maxc, g), hn::Sub(hn::Add(hn::Set(df, 2.0f), rc), bc),
                                            hn::Sub(hn::Add(hn::Set(df, 4.0f), gc), rc)));
    h6 = hn::Add(h6, shift6);
    h6 = hn::Sub(h6, hn::Mul(six, hn::Floor(hn::Mul(h6, sixth))));
    auto fi = hn::Floor(h6);
    const auto f = hn::Sub(h6, fi);
    fi = hn::IfThenElse(hn::Ge(fi, six), zero, fi);
    const auto v = maxc;
    const auto p = hn::Min(hn::Max(hn::Mul(v, hn::Sub(one, s)), zero), vmax);
    const auto q = hn::Min(hn::Max(hn::Mul(v, hn::Sub(one, hn::Mul(s, f))), zero), vmax);
    const auto t = hn::Min(hn::Max(hn::Mul(v, hn::Sub(one, hn::Mul(s, hn::Sub(one, f)))), zero), vmax);
    const auto s0 = hn::Eq(fi, zero), s1 = hn::Eq(fi, one), s2 = hn::Eq(fi, hn::Set(df, 2.0f)),
               s3 = hn::Eq(fi, hn::Set(df, 3.0f)), s4 = hn::Eq(fi, hn::Set(df, 4.0f));
    // sector:  0  1  2  3  4  5
    //   R      v  q  p  p  t  v
    //   G      t  v  v  q  p  p
    //   B      p  p  t  v  v  q
    r = hn::IfThenElse(s0, v, hn::IfThenElse(s1, q, hn::IfThenElse(s2, p, hn::IfThenElse(s3, p, hn::IfThenElse(s4, t, v)))));
    g = hn::IfThenElse(s0, t, hn::IfThenElse(s1, v, hn::IfThenElse(s2, v, hn::IfThenElse(s3, q, p))));
    b = hn::IfThenElse(s0, p, hn::IfThenElse(s1, p, hn::IfThenElse(s2, t, hn::IfThenElse(s3, v, hn::IfThenElse(s4, v, q)))));
  });
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
HWY_EXPORT(Saturation);
HWY_EXPORT(Hue);
HWY_EXPORT(Blur);

void AdjustSaturation(Image& img, float factor) {
  if (img.channels < 3 || img.data.empty()) return;
  HWY_DYNAMIC_DISPATCH(Saturation)(img, factor);
}
void AdjustHue(Image& img, float shift) {
  if (img.channels < 3 || img.data.empty()) return;
  HWY_DYNAMIC_DISPATCH(Hue)(img, shift);
}
void GaussianBlur(Image& img, float sigma) {
  if (img.data.empty() || !(sigma > 0)) return;
  HWY_DYNAMIC_DISPATCH(Blur)(img, sigma);
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
  for (size_t i = 0; i < img.data.size(); i += C)
    for (int c = 0; c < cc; ++c) ++(*hist)[c][p[i + c]];
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
