// Scalar reference warp: the definition of WarpSpec, evaluated per output pixel and per tap.
// No FMA contraction: the same float results on every machine (see warp.cpp).
#pragma GCC optimize("fp-contract=off")

#include "libcommon/kernels/warp_reference.h"

#include <algorithm>
#include <cmath>

namespace imgpipe {

void CubicWeights(float t, float w[4]) {
  const float a = -0.5f;
  const float t1 = t + 1.0f, s = 1.0f - t;
  w[0] = ((a * t1 - 5.0f * a) * t1 + 8.0f * a) * t1 - 4.0f * a;
  w[1] = ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
  w[2] = ((a + 2.0f) * s - (a + 3.0f)) * s * s + 1.0f;
  w[3] = 1.0f - w[0] - w[1] - w[2];
}

namespace {

float Reflect(float u, float n) {
  const float period = 2.0f * n;
  float t = u - period * std::floor(u / period);
  if (t > n) t = period - t;
  return t;
}

// The fixed-point definition (warp.h), per pixel and per tap, in int64 throughout.
void FixedReference(const Image& src, const WarpSpec& spec, Image* out) {
  const int c = src.channels, W = src.width, H = src.height;
  const double* m = spec.inv;
  auto pixel = [&](int64_t x, int64_t y, int ch) -> int64_t {
    const bool far = x < -(int64_t(1) << 30) || x > (int64_t(1) << 30) || y < -(int64_t(1) << 30) || y > (int64_t(1) << 30);
    const int ix = far ? -1 : BorderIndex(int(x), W, spec.border), iy = far ? -1 : BorderIndex(int(y), H, spec.border);
    if (ix < 0 || iy < 0) return spec.fill[ch];
    return src.data[(size_t(iy) * W + ix) * c + ch];
  };
  for (int y = 0; y < out->height; ++y) {
    for (int x = 0; x < out->width; ++x) {
      const int64_t U = std::llround(m[0] * (x + 0.5) * 65536.0) + std::llround((m[1] * (y + 0.5) + m[2] - 0.5) * 65536.0);
      const int64_t V = std::llround(m[3] * (x + 0.5) * 65536.0) + std::llround((m[4] * (y + 0.5) + m[5] - 0.5) * 65536.0);
      // floor((U + 256) / 512) for any sign, written as a division to not mirror the kernel's shifts
      const int64_t qu = (U + 256 - (((U + 256) % 512 + 512) % 512)) / 512;
      const int64_t qv = (V + 256 - (((V + 256) % 512 + 512) % 512)) / 512;
      const int64_t fx = ((qu % 128) + 128) % 128, fy = ((qv % 128) + 128) % 128;
      const int64_t ix = (qu - fx) / 128, iy = (qv - fy) / 128;
      for (int ch = 0; ch < c; ++ch) {
        const int64_t top = pixel(ix, iy, ch) * (128 - fx) + pixel(ix + 1, iy, ch) * fx;
        const int64_t bot = pixel(ix, iy + 1, ch) * (128 - fx) + pixel(ix + 1, iy + 1, ch) * fx;
        const int64_t sum = top * (128 - fy) + bot * fy;
        out->data[(size_t(y) * out->width + x) * c + ch] = uint8_t((sum + 8192) / 16384);
      }
    }
  }
}

}  // namespace

void WarpReference(const Image& src, const WarpSpec& spec, int out_w, int out_h, Image* dst) {
  Image out;
  out.Allocate(std::max(out_w, 0), std::max(out_h, 0), src.channels);
  if (out.width > 0 && out.height > 0 && WarpUsesFixedPoint(src, spec, out_w, out_h)) {
    FixedReference(src, spec, &out);
    *dst = std::move(out);
    return;
  }
  const int c = src.channels, W = src.width, H = src.height;
  float m[9];
  for (int i = 0; i < 9; ++i) m[i] = float(spec.inv[i]);
  const bool persp = m[6] != 0.0f || m[7] != 0.0f || m[8] != 1.0f;
  auto pixel = [&](int x, int y, int ch) -> float {
    const int ix = BorderIndex(x, W, spec.border), iy = BorderIndex(y, H, spec.border);
    if (ix < 0 || iy < 0) return float(spec.fill[ch]);
    return float(src.data[(size_t(iy) * W + ix) * c + ch]);
  };
  for (int y = 0; y < out.height; ++y) {
    const float fy = float(y) + 0.5f;
    const float cu = m[1] * fy + m[2], cv = m[4] * fy + m[5], cw = m[7] * fy + m[8];
    for (int x = 0; x < out.width; ++x) {
      const float fx = float(x) + 0.5f;
      float u = m[0] * fx + cu, v = m[3] * fx + cv;
      if (persp) {
        const float w = m[6] * fx + cw;
        u = u / w;
        v = v / w;
        if (!(w > 0.0f)) u = v = -1e9f;
      }
      if (spec.border == BorderMode::kReflect) {
        u = Reflect(u, float(W));
        v = Reflect(v, float(H));
      }
      float px = std::clamp(u - 0.5f, -1e7f, 1e7f), py = std::clamp(v - 0.5f, -1e7f, 1e7f);
      uint8_t* o = &out.data[(size_t(y) * out.width + x) * c];
      if (spec.interp == Interp::kNearest) {
        const int ix = int(std::floor(px + 0.5f)), iy = int(std::floor(py + 0.5f));
        for (int ch = 0; ch < c; ++ch) o[ch] = uint8_t(pixel(ix, iy, ch));
        continue;
      }
      const float flx = std::floor(px), fly = std::floor(py);
      const float tx = px - flx, ty = py - fly;
      const int ix = int(flx), iy = int(fly);
      for (int ch = 0; ch < c; ++ch) {
        float value;
        if (spec.interp == Interp::kBilinear) {
          const float p00 = pixel(ix, iy, ch), p01 = pixel(ix + 1, iy, ch);
          const float p10 = pixel(ix, iy + 1, ch), p11 = pixel(ix + 1, iy + 1, ch);
          const float top = p00 + tx * (p01 - p00);
          const float bot = p10 + tx * (p11 - p10);
          value = top + ty * (bot - top);
        } else {
          float wx[4], wy[4];
          CubicWeights(tx, wx);
          CubicWeights(ty, wy);
          value = 0.0f;
          for (int dy = 0; dy < 4; ++dy) {
            float row = 0.0f;
            for (int dx = 0; dx < 4; ++dx) row = row + wx[dx] * pixel(ix - 1 + dx, iy - 1 + dy, ch);
            value = value + wy[dy] * row;
          }
          value = std::min(std::max(value, 0.0f), 255.0f);
        }
        o[ch] = uint8_t(int(value + 0.5f));
      }
    }
  }
  *dst = std::move(out);
}

}  // namespace imgpipe
