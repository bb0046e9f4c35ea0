// Scalar photometric references: per pixel, straight from torchvision's definitions.
// No FMA contraction: the same float results on every machine (see warp.cpp).
#pragma GCC optimize("fp-contract=off")

#include "libcommon/kernels/photometric_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace imgpipe {

namespace {
uint8_t ToU8(float v) { return uint8_t(int(std::min(std::max(v, 0.0f), 255.0f) + 0.5f)); }
int Reflect101(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}
}  // namespace

std::vector<float> GaussianKernel(float sigma) {
  const int r = std::max(1, int(std::ceil(3.0f * sigma)));
  std::vector<double> k(2 * r + 1);
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * double(i) * i / (double(sigma) * sigma));
  std::vector<float> out(k.size());
  for (size_t i = 0; i < k.size(); ++i) out[i] = float(k[i] / sum);
  return out;
}

void AdjustSaturationReference(Image& img, float factor) {
  if (img.channels < 3) return;
  const int c = img.channels;
  const float g1 = 1.0f - factor;
  for (size_t i = 0; i < img.data.size(); i += c) {
    uint8_t* p = &img.data[i];
    const float r = p[0], g = p[1], b = p[2];
    const float luma = 0.299f * r + 0.587f * g + 0.114f * b;
    const float gl = g1 * luma;
    p[0] = ToU8(factor * r + gl);
    p[1] = ToU8(factor * g + gl);
    p[2] = ToU8(factor * b + gl);
  }
}

namespace {

// HSV -> RGB for one sextant of the hue circle: v the max, p the min, q falling, t rising.
template <typename T>
void HsvSextantToRgb(int sector, T v, T p, T q, T t, T rgb[3]) {
  switch (sector) {
    case 0: rgb[0] = v, rgb[1] = t, rgb[2] = p; break;
    case 1: rgb[0] = q, rgb[1] = v, rgb[2] = p; break;
    case 2: rgb[0] = p, rgb[1] = v, rgb[2] = t; break;
    case 3: rgb[0] = p, rgb[1] = q, rgb[2] = v; break;
    case 4: rgb[0] = t, rgb[1] = p, rgb[2] = v; break;
    default: rgb[0] = v, rgb[1] = p, rgb[2] = q; break;
  }
}

}  // namespace

void AdjustHueFloatReference(Image& img, float shift) {
  if (img.channels < 3) return;
  const int c = img.channels;
  for (size_t i = 0; i < img.data.size(); i += c) {
    uint8_t* px = &img.data[i];
    const float r = px[0], g = px[1], b = px[2];
    const float maxc = std::max(std::max(r, g), b), minc = std::min(std::min(r, g), b);
    const bool eqc = maxc == minc;
    const float cr = maxc - minc;
    const float s = cr / (eqc ? 1.0f : maxc);
    const float div = eqc ? 1.0f : cr;
    const float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
    float h6;
    if (maxc == r) h6 = bc - gc;
    else if (maxc == g) h6 = (2.0f + rc) - bc;
    else h6 = (4.0f + gc) - rc;
    h6 = h6 + 6.0f * shift;
    h6 = h6 - 6.0f * std::floor(h6 * (1.0f / 6.0f));
    float fi = std::floor(h6);
    const float f = h6 - fi;
    if (fi >= 6.0f) fi = 0.0f;
    const int sector = int(fi);
    const float v = maxc;
    const float p = std::min(std::max(v * (1.0f - s), 0.0f), 255.0f);
    const float q = std::min(std::max(v * (1.0f - s * f), 0.0f), 255.0f);
    const float t = std::min(std::max(v * (1.0f - s * (1.0f - f)), 0.0f), 255.0f);
    float rgb[3];
    HsvSextantToRgb(sector, v, p, q, t, rgb);
    px[0] = ToU8(rgb[0]), px[1] = ToU8(rgb[1]), px[2] = ToU8(rgb[2]);
  }
}

// Exact rational hue rotation, written independently of the kernel (a division instead of the
// kernel's carry): H = torchvision's h6 * cr (an integer), X = H + 6 shift cr in Q16, the new
// sextant and in-sextant offset by integer division, offsets rounded to nearest with ties up
// (t = mn + offset, q = mx - offset).
void AdjustHueReference(Image& img, float shift) {
  if (img.channels < 3) return;
  const int c = img.channels;
  const double s6 = 6.0 * double(shift);
  // 6 shift in Q16, reduced into [0, 6 * 65536).
  const int64_t S = ((int64_t(std::nearbyint(s6 * 65536.0)) % (6 * 65536)) + 6 * 65536) % (6 * 65536);
  for (size_t i = 0; i < img.data.size(); i += c) {
    uint8_t* px = &img.data[i];
    const int r = px[0], g = px[1], b = px[2];
    const int mx = std::max(std::max(r, g), b), mn = std::min(std::min(r, g), b), cr = mx - mn;
    if (cr == 0) continue;
    int64_t H;
    if (mx == r) H = g - b;
    else if (mx == g) H = 2 * cr + b - r;
    else H = 4 * cr + r - g;
    if (H < 0) H += 6 * cr;
    const int64_t X = H * 65536 + S * cr, unit = int64_t(cr) * 65536;
    const int sector = int((X / unit) % 6);
    const int64_t off = X % unit;  // Q16
    const int v = mx, p = mn;
    const int t = mn + int((off + 32768) >> 16), q = mx - int((off + 32767) >> 16);
    int rgb[3];
    HsvSextantToRgb(sector, v, p, q, t, rgb);
    px[0] = uint8_t(rgb[0]), px[1] = uint8_t(rgb[1]), px[2] = uint8_t(rgb[2]);
  }
}

void GaussianBlurReference(Image& img, float sigma) {
  const std::vector<float> k = GaussianKernel(sigma);
  const int r = int(k.size() / 2), W = img.width, H = img.height, C = img.channels;
  const int cc = C >= 3 ? 3 : 1;
  std::vector<float> tmp(img.data.size());
  for (int y = 0; y < H; ++y)
    for (int i = 0; i < W * C; ++i) {
      float acc = k[0] * float(img.data[size_t(Reflect101(y - r, H)) * W * C + i]);
      for (int t = 1; t <= 2 * r; ++t)
        acc = acc + k[t] * float(img.data[size_t(Reflect101(y - r + t, H)) * W * C + i]);
      tmp[size_t(y) * W * C + i] = acc;
    }
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      for (int ch = 0; ch < cc; ++ch) {
        const float* row = &tmp[size_t(y) * W * C];
        float acc = k[0] * row[Reflect101(x - r, W) * C + ch];
        for (int t = 1; t <= 2 * r; ++t) acc = acc + k[t] * row[Reflect101(x - r + t, W) * C + ch];
        img.data[(size_t(y) * W + x) * C + ch] = ToU8(acc);
      }
}

}  // namespace imgpipe
